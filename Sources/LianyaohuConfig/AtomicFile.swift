import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a file so that a reader (or a crash, or a kill mid-save) sees either the old content
/// or the new, never a torn mix: write a temporary file beside it, fsync, rename over, fsync
/// the directory.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
  }

  public static func write(_ text: String, to path: String) throws(WriteError) {
    let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
    try createDirectory(directory)
    let temporary = "\(path).tmp-\(getpid())"
    var mode: mode_t = 0o644
    var existing = stat()
    if stat(path, &existing) == 0 { mode = existing.st_mode & 0o777 }
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard descriptor >= 0 else { throw WriteError(path: temporary, operation: "create", code: errno) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { buffer in
        Glibc.write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
      }
      if result < 0 {
        if errno == EINTR { continue }
        let code = errno
        close(descriptor)
        unlink(temporary)
        throw WriteError(path: temporary, operation: "write", code: code)
      }
      written += result
    }
    if fsync(descriptor) != 0 {
      let code = errno
      close(descriptor)
      unlink(temporary)
      throw WriteError(path: temporary, operation: "fsync", code: code)
    }
    close(descriptor)
    if rename(temporary, path) != 0 {
      let code = errno
      unlink(temporary)
      throw WriteError(path: path, operation: "replace", code: code)
    }
    let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      _ = fsync(directoryDescriptor)
      close(directoryDescriptor)
    }
    removeAbandonedTemporaries(of: path, in: directory)
  }

  /// Removes the temporary files of saves that were killed mid-write (`config.toml.tmp-PID`
  /// whose process no longer exists); a running process's file is left alone.
  private static func removeAbandonedTemporaries(of path: String, in directory: String) {
    let prefix = (path as NSString).lastPathComponent + ".tmp-"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for name in names where name.hasPrefix(prefix) {
      guard let owner = pid_t(name.dropFirst(prefix.count)), owner > 0, owner != getpid() else { continue }
      if kill(owner, 0) != 0, errno == ESRCH { unlink(directory + "/" + name) }
    }
  }

  private static func createDirectory(_ directory: String) throws(WriteError) {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw WriteError(path: directory, operation: "create directory", code: errno == 0 ? EACCES : errno)
    }
  }
}
