import Testing

@testable import lianyaohu

/// The test-only crash trigger must never fire by accident: anything but a well-formed request
/// leaves the dashboard alone.
@Suite("Test-only crash trigger")
struct TestCrashTests {
  @Test("a delay in range and a known kind schedule a crash; abort is the default kind")
  func wellFormed() {
    let plain = TestCrash(environment: ["LIANYAOHU_TEST_CRASH_AFTER_MS": "1500"])
    #expect(plain?.delay == .milliseconds(1500))
    #expect(plain?.kind == .abort)
    #expect(
      TestCrash(environment: ["LIANYAOHU_TEST_CRASH_AFTER_MS": "1", "LIANYAOHU_TEST_CRASH_KIND": "segv"])?.kind == .segv)
    #expect(
      TestCrash(environment: ["LIANYAOHU_TEST_CRASH_AFTER_MS": "600000", "LIANYAOHU_TEST_CRASH_KIND": "trap"])?.kind == .trap)
  }

  @Test(
    "anything else is ignored",
    arguments: [
      [:], ["LIANYAOHU_TEST_CRASH_KIND": "abort"], ["LIANYAOHU_TEST_CRASH_AFTER_MS": ""],
      ["LIANYAOHU_TEST_CRASH_AFTER_MS": "0"], ["LIANYAOHU_TEST_CRASH_AFTER_MS": "-5"],
      ["LIANYAOHU_TEST_CRASH_AFTER_MS": "600001"], ["LIANYAOHU_TEST_CRASH_AFTER_MS": "1e3"],
      ["LIANYAOHU_TEST_CRASH_AFTER_MS": " 100"],
      ["LIANYAOHU_TEST_CRASH_AFTER_MS": "100", "LIANYAOHU_TEST_CRASH_KIND": "explode"],
      ["LIANYAOHU_TEST_CRASH_AFTER_MS": "100", "LIANYAOHU_TEST_CRASH_KIND": "ABORT"],
    ] as [[String: String]])
  func ignored(_ environment: [String: String]) {
    #expect(TestCrash(environment: environment) == nil)
  }
}
