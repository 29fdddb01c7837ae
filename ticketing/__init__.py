"""Orders, payments and tickets."""
