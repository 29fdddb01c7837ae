"""Transport operators, their lines and agreements."""
