import MarketCore

/// Where every pane goes for a given screen: the layout engine.
///
/// Immortal panes form a 4x2 grid on wide screens, 2x4 on medium ones and a single column
/// on narrow ones; when not all of them fit above the status panes, the grid scrolls to keep
/// the focused (or last focused) immortal in view. Below a minimum size nothing but a
/// "terminal too small" message is drawn.
public struct DashboardLayout: Sendable {
  public static let minimumSize = TerminalSize(width: 60, height: 15)
  /// Narrowest immortal pane worth drawing side by side with another.
  static let immortalPaneMinimumWidth = 38
  /// Rows the events pane keeps at least.
  static let eventsMinimumHeight = 2

  public var size: TerminalSize
  public var isTooSmall: Bool
  public var header: Rect
  public var footer: Rect
  public var immortals: [(id: ImmortalID, rect: Rect)]
  /// Grid shape: columns, and pane rows in the whole grid.
  public var columns: Int
  /// When the grid scrolls: the first visible pane row and how many rows are visible.
  public var scroll: (first: Int, visible: Int, total: Int)?
  /// Each immortal pane shows the stance on its own line when there is room.
  public var showsStanceLine: Bool
  public var providers: Rect
  public var breakers: Rect
  public var cache: Rect
  public var events: Rect

  public init(state: DashboardState) {
    let size = state.size
    self.size = size
    self.header = Rect(row: 0, column: 0, width: size.width, height: 1)
    self.footer = Rect(row: max(0, size.height - 1), column: 0, width: size.width, height: 1)
    self.immortals = []
    self.columns = 1
    self.scroll = nil
    self.showsStanceLine = false
    self.providers = Rect(row: 0, column: 0, width: 0, height: 0)
    self.breakers = providers
    self.cache = providers
    self.events = providers
    self.isTooSmall = !size.fits(Self.minimumSize)
    guard !isTooSmall else { return }

    let body = Rect(row: 1, column: 0, width: size.width, height: size.height - 2)
    let symbolRows = max(1, ImmortalID.allCases.map { state.shown.watchlist($0).activeSymbols.count }.max() ?? 1)
    columns = size.width >= 4 * Self.immortalPaneMinimumWidth ? 4 : (size.width >= 2 * Self.immortalPaneMinimumWidth ? 2 : 1)
    let gridRows = (ImmortalID.allCases.count + columns - 1) / columns
    let providerRows = max(1, state.shown.providers.count)
    let statusRowHeight = 2 + providerRows
    let statusMinimum = statusRowHeight + Self.eventsMinimumHeight

    // Tallest pane shape that fits: stance line and a spacer first, then the bare pane.
    var paneHeight = 1 + symbolRows
    let roomy = 3 + symbolRows
    if gridRows * roomy + statusMinimum + 6 <= body.height {
      paneHeight = roomy
      showsStanceLine = true
    }
    var visibleRows = gridRows
    if gridRows * paneHeight + statusMinimum > body.height {
      visibleRows = max(1, min(gridRows, (body.height - statusMinimum) / paneHeight))
    }
    let focusRow = state.lastImmortal.ordinal / columns
    let firstRow = min(max(0, focusRow - visibleRows + 1), gridRows - visibleRows)
    if visibleRows < gridRows { scroll = (firstRow, visibleRows, gridRows) }

    let paneWidths = Self.split(body.width, into: columns, gap: 1)
    for (index, immortal) in ImmortalID.allCases.enumerated() {
      let gridRow = index / columns
      guard gridRow >= firstRow, gridRow < firstRow + visibleRows else { continue }
      let column = index % columns
      let left = paneWidths.prefix(column).reduce(0) { $0 + $1 + 1 }
      immortals.append(
        (
          immortal,
          Rect(row: body.row + (gridRow - firstRow) * paneHeight, column: left, width: paneWidths[column], height: paneHeight)
        ))
    }

    // Status panes: providers | breakers | cache on one row, events below; on narrow
    // screens the cache pane moves beside the events.
    let statusTop = body.row + visibleRows * paneHeight
    let statusArea = Rect(row: statusTop, column: 0, width: size.width, height: body.bottom - statusTop)
    let top = statusArea.rows(from: 0, count: statusRowHeight)
    let bottom = statusArea.rows(from: top.height)
    if size.width >= 110 {
      let cacheWidth = min(40, max(26, size.width / 5))
      let remaining = size.width - cacheWidth - 4
      let providersWidth = min(66, remaining / 2)
      let parts = top.columns([providersWidth, remaining - providersWidth, cacheWidth], gap: 2)
      providers = parts[0]
      breakers = parts[1]
      cache = parts[2]
      events = bottom
    } else {
      let half = (size.width - 2) / 2
      let parts = top.columns([half, size.width - half - 2], gap: 2)
      providers = parts[0]
      breakers = parts[1]
      let cacheWidth = min(26, size.width / 3)
      let lower = bottom.columns([size.width - cacheWidth - 2, cacheWidth], gap: 2)
      events = lower[0]
      cache = lower[1]
    }
  }

  /// Splits a width into `count` parts with gaps, spreading the remainder from the left.
  static func split(_ width: Int, into count: Int, gap: Int) -> [Int] {
    let usable = max(0, width - gap * (count - 1))
    let base = usable / count
    let extra = usable % count
    return (0..<count).map { base + ($0 < extra ? 1 : 0) }
  }
}
