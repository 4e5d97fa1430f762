/// Why the SQLite tier could not start. Each names the file, since the fix is almost always
/// to move that file aside: it only holds cached quotes.
public enum SQLiteTierError: Error, Hashable, Sendable, CustomStringConvertible {
  case cannotCreateDirectory(path: String, reason: String)
  case notADatabase(path: String)
  case cannotOpen(path: String, reason: String)
  /// Written by a newer Lianyaohu: its migrations are unknown here, so its tables cannot be trusted.
  case newerSchema(path: String, unknownMigrations: [String])
  case migrationFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .cannotCreateDirectory(let path, let reason): "cannot create the directory for \(path): \(reason)"
    case .notADatabase(let path):
      "\(path) is not an SQLite database; move it aside or delete it (it only holds cached quotes)"
    case .cannotOpen(let path, let reason): "cannot open the quote database \(path): \(reason)"
    case .newerSchema(let path, let unknownMigrations):
      "\(path) was written by a newer Lianyaohu (schema \(unknownMigrations.joined(separator: ", "))); "
        + "upgrade, or move the file aside to start an empty cache"
    case .migrationFailed(let path, let reason): "cannot upgrade the quote database \(path): \(reason)"
    }
  }
}
