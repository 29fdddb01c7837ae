"""Clearing: apportionment, ledger, settlement. Consumes sale events; never imports ticketing."""
