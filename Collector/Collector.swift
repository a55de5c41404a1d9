// Collector: the central service every recorder in a fleet streams to (HTTP ingest, blobs, query API).
