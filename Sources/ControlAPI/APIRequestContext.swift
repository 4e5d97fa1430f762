import Hummingbird

/// The request context of every control API route. Bodies are read by the routes themselves
/// with an explicit bound (``APIConfiguration/maximumBodyBytes``); this bound is the backstop
/// for anything decoded through Hummingbird.
public struct APIRequestContext: RequestContext {
  public var coreContext: CoreRequestContextStorage

  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
  }

  public var maxUploadSize: Int { 64 * 1024 }
}
