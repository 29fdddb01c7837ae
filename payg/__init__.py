"""Pay-as-you-go: taps in, journeys rebuilt, the best capped fare charged once a day, adjustments for late taps."""
