extension Duration {
  /// The deadline for tests that expect success: far beyond any delay a loaded CI machine
  /// adds when hundreds of tests start at once, so only a real hang reaches it. A test that
  /// wants a timeout to fire sets a short one of its own.
  public static let generousTimeout: Duration = .seconds(30)
}
