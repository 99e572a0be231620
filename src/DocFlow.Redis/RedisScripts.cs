namespace DocFlow.Redis;

/// <summary>The Lua scripts that make each multi-step transition atomic. Time comes from Redis (TIME), so
/// workers on different machines agree on due times without synchronised clocks.</summary>
/// <remarks>Scripts touch streams named inside entries (the delayed set, the dead stream), so the queue needs a
/// standalone Redis or all keys in one hash slot (a prefix like "{docflow}").</remarks>
internal static class RedisScripts
{
    private const string Common = """
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function field(f, name)
          for i = 1, #f, 2 do if f[i] == name then return f[i + 1] end end
          return nil
        end
        local function owned(k, group, consumer, id)
          local p = redis.call('XPENDING', k, group, id, id, 1)
          return #p == 1 and p[1][2] == consumer
        end
        local function bury(k, dead, index, group, id, f, reason, now)
          local args = {}
          for i = 1, #f do args[#args + 1] = f[i] end
          args[#args + 1] = 'reason'; args[#args + 1] = reason
          args[#args + 1] = 'deadAt'; args[#args + 1] = tostring(now)
          args[#args + 1] = 'stream'; args[#args + 1] = k
          local jobId = field(f, 'jobId') or ('entry:' .. id)
          local old = redis.call('HGET', index, jobId)
          if old then redis.call('XDEL', dead, old) end
          local did = redis.call('XADD', dead, '*', unpack(args))
          redis.call('HSET', index, jobId, did)
          redis.call('XACK', k, group, id)
          redis.call('XDEL', k, id)
        end

        """;

    /// <summary>KEYS: lane streams in fetch order (express lanes, then normal lanes, the same routes in each), then delayed,
    /// dead, dead index. ARGV: group, consumer, count, housekeeping (0/1), min idle ms, max deliveries, lanes per priority,
    /// liveness key prefix, liveness ms. Every call renews this consumer's liveness key; housekeeping also takes over
    /// the pending entries of consumers whose key expired (dead workers) and drops such consumers once they hold none.
    /// Housekeeping promotes due retries and reclaims idle entries (XAUTOCLAIM) before new entries are read (&gt;).
    /// Returns rows {lane index, id, delivery count, fields}; poison entries go to the dead stream instead.</summary>
    public const string Fetch = Common + """
        local ns = #KEYS - 3
        local delayed, dead, index = KEYS[ns + 1], KEYS[ns + 2], KEYS[ns + 3]
        local group, consumer = ARGV[1], ARGV[2]
        local n = tonumber(ARGV[3])
        local hk = ARGV[4] == '1'
        local minIdle = ARGV[5]
        local maxDel = tonumber(ARGV[6])
        local out = {}
        local now = now_ms()
        local alive, aliveMs = ARGV[8], ARGV[9]
        redis.call('SET', alive .. consumer, '1', 'PX', aliveMs)
        local function gcall(k, ...)
          local r = redis.pcall(...)
          if type(r) == 'table' and r.err then
            if string.find(r.err, 'NOGROUP', 1, true) then
              redis.call('XGROUP', 'CREATE', k, group, '0', 'MKSTREAM')
              return redis.call(...)
            end
            error(r.err)
          end
          return r
        end
        local function take(i, k, id, f, dc)
          if dc > maxDel then
            bury(k, dead, index, group, id, f,
              'poison: delivered ' .. dc .. ' times without finishing (limit ' .. maxDel .. ')', now)
          else
            out[#out + 1] = { i, id, dc, f }
            n = n - 1
          end
        end
        if hk then
          local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, 1000)
          for _, m in ipairs(due) do
            local d = cjson.decode(m)
            redis.call('XADD', d.s, '*', unpack(d.f))
            redis.call('ZREM', delayed, m)
          end
          -- Dead consumers (liveness key expired): their entries are taken over now, not after the visibility timeout.
          for i = 1, ns do
            local k = KEYS[i]
            if redis.call('EXISTS', k) == 1 then
              local cs = redis.pcall('XINFO', 'CONSUMERS', k, group)
              if type(cs) == 'table' and not cs.err then
                for _, c in ipairs(cs) do
                  local name = field(c, 'name')
                  if name ~= consumer and redis.call('EXISTS', alive .. name) == 0 then
                    if tonumber(field(c, 'pending')) == 0 then
                      redis.call('XGROUP', 'DELCONSUMER', k, group, name)
                    elseif n > 0 then
                      for _, p in ipairs(redis.call('XPENDING', k, group, '-', '+', n, name)) do
                        for _, e in ipairs(redis.call('XCLAIM', k, group, consumer, 0, p[1])) do
                          if e and e[2] then take(i, k, e[1], e[2], p[4] + 1 + tonumber(field(e[2], 'deliveries') or '0')) end
                        end
                      end
                    end
                  end
                end
              end
            end
          end
          for i = 1, ns do
            if n <= 0 then break end
            local k = KEYS[i]
            if redis.call('EXISTS', k) == 1 then
              local cursor, rounds = '0-0', 0
              repeat
                local r = gcall(k, 'XAUTOCLAIM', k, group, consumer, minIdle, cursor, 'COUNT', n)
                cursor = r[1]
                for _, e in ipairs(r[2]) do
                  if e and e[2] then
                    local p = redis.call('XPENDING', k, group, e[1], e[1], 1)
                    local dc = p[1][4] + tonumber(field(e[2], 'deliveries') or '0')
                    take(i, k, e[1], e[2], dc)
                  end
                end
                rounds = rounds + 1
              until cursor == '0-0' or n <= 0 or rounds >= 100
            end
          end
        end
        -- New entries: express lanes before normal ones; within a priority, oldest first across the routes (stream
        -- ids are Redis times), so a batch spread over the image and pdf lanes is taken in the order it was enqueued.
        local function older(a, b)
          local am, as = string.match(a, '^(%d+)-(%d+)$')
          local bm, bs = string.match(b, '^(%d+)-(%d+)$')
          am, bm = tonumber(am), tonumber(bm)
          if am ~= bm then return am < bm end
          return tonumber(as) < tonumber(bs)
        end
        local function undelivered(k, count)
          if redis.call('EXISTS', k) == 0 then
            redis.call('XGROUP', 'CREATE', k, group, '0', 'MKSTREAM')
            return {}
          end
          local last = nil
          for _, g in ipairs(redis.call('XINFO', 'GROUPS', k)) do
            if field(g, 'name') == group then last = field(g, 'last-delivered-id') end
          end
          if last == nil then
            redis.call('XGROUP', 'CREATE', k, group, '0')
            last = '0-0'
          end
          return redis.call('XRANGE', k, '(' .. last, '+', 'COUNT', count)
        end
        local function read(i, count)
          local k = KEYS[i]
          local r = gcall(k, 'XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'STREAMS', k, '>')
          if r then
            for _, e in ipairs(r[1][2]) do
              take(i, k, e[1], e[2], 1 + tonumber(field(e[2], 'deliveries') or '0'))
            end
          end
        end
        local per = tonumber(ARGV[7])
        for first = 1, ns, per do
          if n <= 0 then break end
          local last = math.min(first + per - 1, ns)
          if first == last then
            read(first, n)
          else
            local heads, at, counts = {}, {}, {}
            for i = first, last do heads[i] = undelivered(KEYS[i], n); at[i] = 1; counts[i] = 0 end
            local want = n
            while want > 0 do
              local best = nil
              for i = first, last do
                local e = heads[i][at[i]]
                if e and (best == nil or older(e[1], heads[best][at[best]][1])) then best = i end
              end
              if best == nil then break end
              at[best] = at[best] + 1
              counts[best] = counts[best] + 1
              want = want - 1
            end
            for i = first, last do
              if counts[i] > 0 then read(i, counts[i]) end
            end
          end
        end
        return out
        """;

    /// <summary>KEYS: lane streams. ARGV: records of (lane index, field count, fields...). One XADD per record.</summary>
    public const string EnqueueMany = """
        local i = 1
        while i <= #ARGV do
          local n = tonumber(ARGV[i + 1])
          redis.call('XADD', KEYS[tonumber(ARGV[i])], '*', unpack(ARGV, i + 2, i + 1 + n))
          i = i + 2 + n
        end
        return 1
        """;

    /// <summary>KEYS: stream. ARGV: group, ids... XACK then XDEL: an acknowledged job leaves no trace.</summary>
    public const string Ack = """
        local ids = {}
        for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
        redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
        return redis.call('XDEL', KEYS[1], unpack(ids))
        """;

    /// <summary>KEYS: stream, delayed. ARGV: group, consumer, id, delay ms, member (JSON {s, f, id}).
    /// Schedules the next attempt and removes the entry, if this consumer still owns it.</summary>
    public const string Retry = Common + """
        local k = KEYS[1]
        if not owned(k, ARGV[1], ARGV[2], ARGV[3]) then return 0 end
        local delay = tonumber(ARGV[4])
        if delay <= 0 then
          local d = cjson.decode(ARGV[5])
          redis.call('XADD', d.s, '*', unpack(d.f))
        else
          redis.call('ZADD', KEYS[2], now_ms() + delay, ARGV[5])
        end
        redis.call('XACK', k, ARGV[1], ARGV[3])
        redis.call('XDEL', k, ARGV[3])
        return 1
        """;

    /// <summary>KEYS: stream, dead, dead index. ARGV: group, consumer, id, reason, check owner (0/1), fields...</summary>
    public const string DeadLetter = Common + """
        local k = KEYS[1]
        if ARGV[5] == '1' and not owned(k, ARGV[1], ARGV[2], ARGV[3]) then return 0 end
        local f = {}
        for i = 6, #ARGV do f[#f + 1] = ARGV[i] end
        bury(k, KEYS[2], KEYS[3], ARGV[1], ARGV[3], f, ARGV[4], now_ms())
        return 1
        """;

    /// <summary>KEYS: stream. ARGV: group, consumer, idle ms, ids... Resets (or sets) the idle time of the entries
    /// this consumer still owns, without raising their delivery count. Returns the ids no longer owned.</summary>
    public const string Touch = Common + """
        local lost = {}
        for i = 4, #ARGV do
          local id = ARGV[i]
          if owned(KEYS[1], ARGV[1], ARGV[2], id) then
            redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id, 'IDLE', ARGV[3], 'JUSTID')
          else
            lost[#lost + 1] = id
          end
        end
        return lost
        """;

    /// <summary>KEYS: dead, dead index. ARGV: job id. Back to its stream with attempt and deliveries 0.</summary>
    public const string Requeue = """
        local did = redis.call('HGET', KEYS[2], ARGV[1])
        if not did then return 0 end
        redis.call('HDEL', KEYS[2], ARGV[1])
        local e = redis.call('XRANGE', KEYS[1], did, did)
        if #e == 0 then return 0 end
        local f, args, stream = e[1][2], {}, nil
        for i = 1, #f, 2 do
          local name, v = f[i], f[i + 1]
          if name == 'stream' then stream = v
          elseif name == 'reason' or name == 'deadAt' then
          elseif name == 'attempt' or name == 'deliveries' then args[#args + 1] = name; args[#args + 1] = '0'
          else args[#args + 1] = name; args[#args + 1] = v end
        end
        redis.call('XADD', stream, '*', unpack(args))
        redis.call('XDEL', KEYS[1], did)
        return 1
        """;

    /// <summary>KEYS: dead, dead index. ARGV: job id.</summary>
    public const string PurgeOne = """
        local did = redis.call('HGET', KEYS[2], ARGV[1])
        if not did then return 0 end
        redis.call('HDEL', KEYS[2], ARGV[1])
        return redis.call('XDEL', KEYS[1], did)
        """;

    /// <summary>KEYS: stream, dead index. ARGV: group ('' for the dead stream), start ('-' or '(id'), count, batch id ('' for
    /// none), job ids... Erasure: up to count entries from start on; those of the job ids (as job or parent job) or of the
    /// batch are acknowledged (off the pending list) and deleted; from the dead stream their index entries go too.
    /// Returns {last id read, removed, read}.</summary>
    public const string EraseFromStream = """
        local ids = {}
        for i = 5, #ARGV do ids[ARGV[i]] = true end
        local batch = ARGV[4]
        local entries = redis.call('XRANGE', KEYS[1], ARGV[2], '+', 'COUNT', tonumber(ARGV[3]))
        local removed, last = 0, ''
        for _, e in ipairs(entries) do
          local id, f = e[1], e[2]
          last = id
          local job, parent, b
          for i = 1, #f, 2 do
            if f[i] == 'jobId' then job = f[i + 1] elseif f[i] == 'parentJobId' then parent = f[i + 1] elseif f[i] == 'batchId' then b = f[i + 1] end
          end
          if (job and ids[job]) or (parent and ids[parent]) or (batch ~= '' and b == batch) then
            if ARGV[1] ~= '' then redis.pcall('XACK', KEYS[1], ARGV[1], id) end
            redis.call('XDEL', KEYS[1], id)
            if ARGV[1] == '' and job and redis.call('HGET', KEYS[2], job) == id then redis.call('HDEL', KEYS[2], job) end
            removed = removed + 1
          end
        end
        return {last, removed, #entries}
        """;

    /// <summary>KEYS: delayed. ARGV: batch id ('' for none), job ids... Erasure: removes the scheduled retries of those jobs
    /// (as job or parent job) or of the batch. Returns how many.</summary>
    public const string EraseDelayed = """
        local ids = {}
        for i = 2, #ARGV do ids[ARGV[i]] = true end
        local batch = ARGV[1]
        local removed = 0
        for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
          local ok, d = pcall(cjson.decode, m)
          if ok and type(d) == 'table' and type(d.f) == 'table' then
            local job, parent, b
            for i = 1, #d.f, 2 do
              if d.f[i] == 'jobId' then job = d.f[i + 1] elseif d.f[i] == 'parentJobId' then parent = d.f[i + 1] elseif d.f[i] == 'batchId' then b = d.f[i + 1] end
            end
            if (job and ids[job]) or (parent and ids[parent]) or (batch ~= '' and b == batch) then
              redis.call('ZREM', KEYS[1], m)
              removed = removed + 1
            end
          end
        end
        return removed
        """;

    /// <summary>KEYS: dead, dead index. Returns how many dead letters there were.</summary>
    public const string PurgeAll = """
        local n = redis.call('XLEN', KEYS[1])
        redis.call('DEL', KEYS[1], KEYS[2])
        return n
        """;

    /// <summary>KEYS: lane streams, delayed, dead. ARGV: group.
    /// Returns per lane {length, pending, age of the oldest undelivered entry in ms}, then delayed and dead counts.</summary>
    public const string Statistics = Common + """
        local now = now_ms()
        local out = {}
        for i = 1, #KEYS - 2 do
          local k = KEYS[i]
          local len, pending, last = 0, 0, nil
          if redis.call('EXISTS', k) == 1 then
            len = redis.call('XLEN', k)
            for _, g in ipairs(redis.call('XINFO', 'GROUPS', k)) do
              local name, pend, ld
              for j = 1, #g, 2 do
                if g[j] == 'name' then name = g[j + 1]
                elseif g[j] == 'pending' then pend = g[j + 1]
                elseif g[j] == 'last-delivered-id' then ld = g[j + 1] end
              end
              if name == ARGV[1] then pending = pend; last = ld end
            end
          end
          local start = '-'
          if last and last ~= '0-0' then start = '(' .. last end
          local oldest = 0
          local w = redis.call('XRANGE', k, start, '+', 'COUNT', 1)
          if #w > 0 then
            local ms = tonumber(string.match(w[1][1], '^(%d+)'))
            oldest = math.max(0, now - ms)
          end
          out[#out + 1] = { len, pending, oldest }
        end
        out[#out + 1] = redis.call('ZCARD', KEYS[#KEYS - 1])
        out[#out + 1] = redis.call('XLEN', KEYS[#KEYS])
        return out
        """;

    /// <summary>Every job id (and page-range parent id) in the lanes (KEYS[1..n-1]) and the delayed set (KEYS[n]), in one
    /// atomic read: an entry moving between them is seen exactly once. O(entries): for the reconciler, minutes apart.</summary>
    public const string Inventory = """
        local ids = {}
        local function take(f)
          for j = 1, #f, 2 do
            if f[j] == 'jobId' or f[j] == 'parentJobId' then ids[#ids + 1] = f[j + 1] end
          end
        end
        for i = 1, #KEYS - 1 do
          for _, e in ipairs(redis.call('XRANGE', KEYS[i], '-', '+')) do take(e[2]) end
        end
        for _, m in ipairs(redis.call('ZRANGE', KEYS[#KEYS], 0, -1)) do take(cjson.decode(m).f) end
        return ids
        """;
}
