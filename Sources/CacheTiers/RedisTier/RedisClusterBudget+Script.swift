extension RedisClusterBudget {
  /// The one script that spends a call of a provider's budget, atomically (Redis runs a script
  /// alone), so every instance sees the others' calls.
  ///
  /// - KEYS[1]: the provider's minute log, a sorted set of call times (ms): a **sliding
  ///   window** of the last 60 s, so no rolling minute ever holds more than the limit.
  /// - KEYS[2]: the provider's day count, a hash `{day, used}`: a **fixed window** of one UTC
  ///   day, as providers reset their quotas at midnight UTC.
  /// - KEYS[3]: live instances, a sorted set of instance id → last seen (ms).
  /// - ARGV: now in ms (empty: the server's `TIME`), requests per minute (-1: none), daily
  ///   quota (-1: none), instance id, live window in ms, a member unique to this call.
  ///
  /// Returns `{admitted, refusal, retry ms, used today, live instances}`, refusal 1 for the
  /// rate and 2 for the quota. Checks both limits before it takes from either, so a call the
  /// quota refuses never uses a minute slot. Every key gets a relative expiry (a minute, the
  /// rest of the day plus an hour, two live windows), so nothing outlives its use.
  static let script = """
    local now = tonumber(ARGV[1])
    if not now then
      local time = redis.call('TIME')
      now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
    end
    local rpm = tonumber(ARGV[2])
    local quota = tonumber(ARGV[3])
    local window = tonumber(ARGV[5])
    redis.call('ZADD', KEYS[3], now, ARGV[4])
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
    redis.call('PEXPIRE', KEYS[3], window * 2)
    local live = redis.call('ZCARD', KEYS[3])
    local day = math.floor(now / 86400000)
    local reset = (day + 1) * 86400000
    local used = 0
    if quota >= 0 then
      if tonumber(redis.call('HGET', KEYS[2], 'day')) == day then
        used = tonumber(redis.call('HGET', KEYS[2], 'used')) or 0
      end
      if used >= quota then return {0, 2, reset - now, used, live} end
    end
    if rpm >= 0 then
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
      if redis.call('ZCARD', KEYS[1]) >= rpm then
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        local retry = 60000
        if oldest[2] then retry = math.max(1, tonumber(oldest[2]) + 60000 - now) end
        return {0, 1, retry, used, live}
      end
      redis.call('ZADD', KEYS[1], now, ARGV[6])
      redis.call('PEXPIRE', KEYS[1], 61000)
    end
    if quota >= 0 then
      redis.call('HSET', KEYS[2], 'day', day, 'used', used + 1)
      redis.call('PEXPIRE', KEYS[2], reset - now + 3600000)
      used = used + 1
    end
    return {1, 0, 0, used, live}
    """
}
