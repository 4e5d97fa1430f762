/// The Gregorian calendar on UTC in integer arithmetic over epoch seconds. Every history read
/// resolves its window and cuts it into blocks; Foundation's `Calendar` spent microseconds
/// per call there, more than the memory lookups themselves.
public enum UTCDays {
  public static let secondsPerDay: Int64 = 86_400

  /// The midnight starting the UTC day holding `time`.
  public static func startOfDay(_ time: Int64) -> Int64 {
    floorDivide(time, secondsPerDay) * secondsPerDay
  }

  /// The midnight starting the month holding `time`.
  public static func startOfMonth(_ time: Int64) -> Int64 {
    let date = civil(days: floorDivide(time, secondsPerDay))
    return days(year: date.year, month: date.month, day: 1) * secondsPerDay
  }

  /// The midnight starting the year holding `time`.
  public static func startOfYear(_ time: Int64) -> Int64 {
    days(year: civil(days: floorDivide(time, secondsPerDay)).year, month: 1, day: 1) * secondsPerDay
  }

  /// `time` moved by whole months, its day clamped to the month it lands in (March 31 less
  /// a month is the last of February), its time of day kept: as `Calendar` adds months.
  public static func adding(months: Int64, to time: Int64) -> Int64 {
    let day = floorDivide(time, secondsPerDay)
    let timeOfDay = time - day * secondsPerDay
    let date = civil(days: day)
    let monthIndex = date.year * 12 + (date.month - 1) + months
    let year = floorDivide(monthIndex, 12)
    let month = monthIndex - year * 12 + 1
    let clamped = min(date.day, length(ofMonth: month, year: year))
    return days(year: year, month: month, day: clamped) * secondsPerDay + timeOfDay
  }

  /// Monday is 0, Sunday 6.
  public static func weekday(ofDay day: Int64) -> Int64 {
    // 1970-01-01, day 0, was a Thursday.
    floorModulo(day + 3, 7)
  }

  /// Days from 1970-01-01 to a civil date (after Howard Hinnant's `days_from_civil`).
  public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = floorDivide(shiftedYear, 400)
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The civil date of a day counted from 1970-01-01 (Hinnant's `civil_from_days`).
  public static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let shifted = days + 719_468
    let era = floorDivide(shifted, 146_097)
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  public static func length(ofMonth month: Int64, year: Int64) -> Int64 {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return value % divisor < 0 ? quotient - 1 : quotient
  }

  static func floorModulo(_ value: Int64, _ divisor: Int64) -> Int64 {
    value - floorDivide(value, divisor) * divisor
  }
}
