/// What a cell means, not how it looks: themes map each role to colours and attributes, so
/// the renderer never names a colour and tests check meaning rather than escape bytes.
public enum Role: String, CaseIterable, Hashable, Sendable {
  case normal
  case title
  case focusedTitle
  case border
  case label
  case dim
  case header
  case badgeSimulated
  case badgePaused
  case badgeStale
  case badgeWarning
  case priceUp
  case priceDown
  case priceFlat
  case tickUp
  case tickDown
  case stale
  case sparkline
  case source
  case selected
  case breakerClosed
  case breakerOpen
  case breakerHalfOpen
  case breakerForcedOpen
  case breakerDisabled
  case ok
  case warning
  case error
  case eventOperator
  case eventBreaker
  case eventError
  case footer
  case footerKey
  case overlay
  case overlayTitle
  case input
}
