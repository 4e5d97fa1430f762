import FuzzSupport
import TerminalUI

/// `ThemeFile.parse` on arbitrary text: a typed error naming a line of the file, or a theme
/// whose styles survive being written back out and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let loaded: ThemeFile.Loaded
  do {
    loaded = try ThemeFile.parse(text, name: "fuzz", path: "fuzz.theme")
  } catch {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
    require((1...max(1, lines)).contains(error.line ?? 1), "error names line \(error.line ?? 0) of \(lines)")
    return 0
  }
  let written = ThemeFile.text(of: loaded.theme, header: "fuzz")
  do {
    let reread = try ThemeFile.parse(written, name: "fuzz", path: "written.theme")
    require(reread.theme.styles == loaded.theme.styles, "styles changed when written and read again:\n\(written)")
  } catch {
    require(false, "a theme written by ThemeFile.text does not parse: \(error)\n\(written)")
  }
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
