import ServiceLifecycle

/// The simulate server as a service: it runs until the group shuts down gracefully (SIGINT,
/// SIGTERM), then stops accepting and closes its connections.
struct SimulateService: Service {
  let server: SimulateServer

  func run() async throws {
    await withGracefulShutdownHandler {
      await server.waitUntilClosed()
    } onGracefulShutdown: {
      Task { await server.shutdown() }
    }
  }
}
