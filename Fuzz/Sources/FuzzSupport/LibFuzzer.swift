import CLibFuzzer

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What libFuzzer calls with each input; `data` is nil only when `size` is 0.
public typealias FuzzCallback = @convention(c) (_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt

/// Hands the process to libFuzzer, which parses its flags (`-max_total_time=`, a corpus
/// directory ...) and calls `callback` with every input it tries.
public func runLibFuzzer(_ callback: FuzzCallback) -> Never {
  var argc = CommandLine.argc
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
  exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}
