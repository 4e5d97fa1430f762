/// The cache tiers below L1 (see ``MarketCore/QuoteTier``): Redis for many instances
/// (`Redis/`: RESP over SwiftNIO, ours because no Redis client package is available here),
/// SQLite for the single-machine default (`SQLite/`, GRDB), and the stored form of a quote
/// they share (`Encoding/`).
public enum CacheTiers {}
