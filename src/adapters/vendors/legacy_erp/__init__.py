"""The legacy on-premise ERP, fed through its Oracle E-Business Suite style open interface."""
