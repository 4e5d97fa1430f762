/// The built-in themes, compiled in so the binary needs no files at run time.
///
/// Each text is byte for byte the file of the same name in `themes/`; a test keeps them equal.
enum BuiltInThemeFiles {
  struct File: Sendable {
    var name: String
    var text: String
  }

  /// In the order `T` cycles through them; the first is the fallback for missing roles.
  static let all: [File] = [
    File(
      name: "default",
      text: #"""
        # Lianyaohu dashboard theme: the default, for dark terminals.
        # Keys are semantic roles; a value is `foreground [on background] [bold] [dim] [underline] [reverse]`.
        # Colours: default, black red green yellow blue magenta cyan white, bright-<name>, color0-color255, #rrggbb.
        name = Default dark
        normal = default
        title = color223 bold
        focusedTitle = black on color179 bold
        border = color240
        label = color245
        dim = color243
        header = color223 bold
        badgeSimulated = black on color179 bold
        badgePaused = black on color75 bold
        badgeStale = black on color247 bold
        badgeWarning = white on color124 bold
        priceUp = color114
        priceDown = color203
        priceFlat = color250
        tickUp = color156 bold
        tickDown = color210 bold
        stale = color243 dim
        sparkline = color110
        source = color139
        selected = default reverse
        breakerClosed = color114
        breakerOpen = color203 bold
        breakerHalfOpen = color221 bold
        breakerForcedOpen = white on color124 bold
        breakerDisabled = color243
        ok = color114
        warning = color221
        error = color203 bold
        eventOperator = color75
        eventBreaker = color221
        eventError = color203
        footer = color250
        footerKey = color223 bold
        overlay = default on color236
        overlayTitle = color223 on color236 bold
        input = default underline
        """# + "\n"),
    File(
      name: "light",
      text: #"""
        # Lianyaohu dashboard theme for light terminal backgrounds.
        name = Light
        normal = default
        title = color94 bold
        focusedTitle = white on color94 bold
        border = color248
        label = color242
        dim = color244
        header = color94 bold
        badgeSimulated = white on color166 bold
        badgePaused = white on color25 bold
        badgeStale = white on color244 bold
        badgeWarning = white on color160 bold
        priceUp = color28
        priceDown = color160
        priceFlat = color238
        tickUp = color22 bold
        tickDown = color124 bold
        stale = color246 dim
        sparkline = color25
        source = color90
        selected = default reverse
        breakerClosed = color28
        breakerOpen = color160 bold
        breakerHalfOpen = color130 bold
        breakerForcedOpen = white on color160 bold
        breakerDisabled = color246
        ok = color28
        warning = color130
        error = color160 bold
        eventOperator = color25
        eventBreaker = color130
        eventError = color160
        footer = color238
        footerKey = color94 bold
        overlay = default on color254
        overlayTitle = color94 on color254 bold
        input = default underline
        """# + "\n"),
    File(
      name: "high-contrast",
      text: #"""
        # Lianyaohu dashboard theme: maximum contrast with the eight basic colours, bold text.
        name = High contrast
        normal = bright-white
        title = bright-yellow bold
        focusedTitle = black on bright-yellow bold
        border = bright-white
        label = bright-white
        dim = white
        header = bright-yellow bold
        badgeSimulated = black on bright-yellow bold
        badgePaused = black on bright-cyan bold
        badgeStale = black on white bold
        badgeWarning = bright-white on red bold
        priceUp = bright-green bold
        priceDown = bright-red bold
        priceFlat = bright-white
        tickUp = black on bright-green bold
        tickDown = black on bright-red bold
        stale = white dim underline
        sparkline = bright-cyan
        source = bright-magenta
        selected = bright-white reverse bold
        breakerClosed = bright-green bold
        breakerOpen = bright-red bold
        breakerHalfOpen = bright-yellow bold
        breakerForcedOpen = bright-white on red bold
        breakerDisabled = white underline
        ok = bright-green bold
        warning = bright-yellow bold
        error = bright-red bold
        eventOperator = bright-cyan
        eventBreaker = bright-yellow
        eventError = bright-red bold
        footer = bright-white
        footerKey = bright-yellow bold
        overlay = bright-white on black
        overlayTitle = bright-yellow on black bold
        input = bright-white underline
        """# + "\n"),
    File(
      name: "monochrome",
      text: #"""
        # Lianyaohu dashboard theme without any colour: used whenever NO_COLOR is set.
        # Meaning is carried by attributes and by the textual markers the dashboard always draws.
        name = Monochrome
        normal = default
        title = default bold
        focusedTitle = default reverse bold
        border = default dim
        label = default
        dim = default dim
        header = default bold
        badgeSimulated = default reverse bold
        badgePaused = default reverse
        badgeStale = default reverse dim
        badgeWarning = default reverse bold
        priceUp = default bold
        priceDown = default underline
        priceFlat = default
        tickUp = default bold reverse
        tickDown = default underline reverse
        stale = default dim
        sparkline = default
        source = default dim
        selected = default reverse
        breakerClosed = default
        breakerOpen = default bold
        breakerHalfOpen = default underline
        breakerForcedOpen = default reverse bold
        breakerDisabled = default dim
        ok = default
        warning = default bold
        error = default bold underline
        eventOperator = default bold
        eventBreaker = default underline
        eventError = default bold
        footer = default
        footerKey = default bold
        overlay = default
        overlayTitle = default bold
        input = default underline
        """# + "\n"),
  ]
}
