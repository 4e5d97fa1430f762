/// One message published on a channel the client subscribed to.
public struct RedisMessage: Sendable, Hashable {
  public var channel: String
  public var payload: [UInt8]

  public init(channel: String, payload: [UInt8]) {
    self.channel = channel
    self.payload = payload
  }
}
