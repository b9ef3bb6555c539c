"""Invoices from rated charges: tax, gapless numbers, credit notes and payments."""
