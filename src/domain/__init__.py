"""o2c's pure core: the business's words, rules and outcomes, with no I/O."""
