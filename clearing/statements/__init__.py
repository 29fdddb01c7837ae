"""Settlement statements: the data of one settled period (``data``), its CSV, PDF and chart."""
