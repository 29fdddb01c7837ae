"""The native tariff package format (JSON), see docs/native-tariff.md."""
