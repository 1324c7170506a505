"""Export use cases (出口): intake processor, officer actions, summaries, registry, tax ledgers, reference."""
