package dev.redlock.core.jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

import dev.redlock.core.ArmableNode;
import dev.redlock.core.NodeStatus;
import dev.redlock.protocol.LockReplies;
import dev.redlock.protocol.LockScripts;

/**
 * Arming of a standalone or Sentinel member: the marker its lock scripts check, the ticket that
 * makes arming fail if the node restarts meanwhile, the registry of armed incarnations (one
 * string key per node name, so reading it needs only {@code SCAN} and {@code MGET}), and the
 * fencing counters copied to a node that restarted empty.
 */
final class JedisArming implements ArmableNode {

	/** How many keys a {@code SCAN} step asks for. */
	private static final int BATCH = 500;

	/** How long an arming ticket lives if the engine that set it never comes back. */
	private static final long TICKET_MILLIS = 60_000;

	/** The clocks' rate difference an armed lock script allows since the last look (the default drift factor). */
	private static final double CLOCK_RATE_ALLOWANCE = 0.01;

	private final UnifiedJedis client;

	private final long clockSlackNanos;

	private volatile Keys keys;

	/** The node's clock at the last probe that read it, or {@code null}. */
	private volatile NodeStatus.Clock lastLook;

	/** A reading that showed a jump, taken as the last look only at the next probe; or {@code null}. */
	private NodeStatus.Clock jumped;

	JedisArming(UnifiedJedis client, Duration nodeTimeout) {
		this.client = client;
		// a command may run on the node up to a node timeout after it was sent; plus the fixed 2 ms
		this.clockSlackNanos = nodeTimeout.toNanos() + Duration.ofMillis(2).toNanos();
	}

	/**
	 * A probe read the node's clock ({@code TIME}); {@code null} if it could not (then armed
	 * scripts do not call {@code TIME} either: the user may not be allowed to).
	 */
	void clockRead(NodeStatus.Clock clock) {
		NodeStatus.Clock look = this.lastLook;
		if (clock != null && look != null && this.jumped == null && clock.serverMicros() > look
			.latestServerMicros(clock.readNanos(), CLOCK_RATE_ALLOWANCE, this.clockSlackNanos)) {
			// the engine holds the node out once this probe is over; until then the scripts refuse
			this.jumped = clock;
			return;
		}
		this.jumped = null;
		this.lastLook = clock;
	}

	/**
	 * The latest node time (microseconds) an armed acquisition accepts now, or {@code "0"} for no
	 * check: a node whose clock is later jumped forward since the last look and refuses.
	 */
	String latestServerMicros() {
		NodeStatus.Clock look = this.lastLook;
		return (look != null) ? Long.toString(look.latestServerMicros(System.nanoTime(), CLOCK_RATE_ALLOWANCE,
				this.clockSlackNanos)) : "0";
	}

	/**
	 * The marker key, or {@code null} while arming is not required.
	 */
	String marker() {
		Keys current = this.keys;
		return (current != null) ? current.marker() : null;
	}

	@Override
	public void requireArming(Keys keys) {
		this.keys = keys;
	}

	private Keys keys() {
		Keys current = this.keys;
		if (current == null) {
			throw new IllegalStateException("arming is not required on this node");
		}
		return current;
	}

	@Override
	public String beginArming() {
		String ticket = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong())
				+ Long.toHexString(System.nanoTime());
		JedisFailures.call(() -> this.client.set(keys().ticket(), ticket, SetParams.setParams().px(TICKET_MILLIS)));
		return ticket;
	}

	@Override
	public void abandonArming(String ticket) {
		// the ticket is deleted only while it holds this value, as a lock is released
		JedisFailures.call(() -> ScriptCalls.run(this.client, LockScripts.RELEASE, List.of(keys().ticket()), ticket));
	}

	@Override
	public String armedIncarnation() {
		return JedisFailures.call(() -> this.client.get(keys().marker()));
	}

	@Override
	public boolean isBeingArmed() {
		return JedisFailures.call(() -> this.client.exists(keys().ticket()));
	}

	@Override
	public boolean arm(String ticket, String runId) {
		Keys current = keys();
		return LockReplies.isOne(JedisFailures.call(() -> ScriptCalls.run(this.client, LockScripts.ARM,
				List.of(current.ticket(), current.marker()), ticket, (runId != null) ? runId : "armed")));
	}

	@Override
	public Map<String, String> readRegistry() {
		String prefix = keys().registryPrefix();
		Map<String, String> registry = new LinkedHashMap<>();
		JedisFailures.call(() -> scan(globEscape(prefix) + "*", (page) -> {
			List<String> values = this.client.mget(page.toArray(String[]::new));
			for (int i = 0; i < page.size(); i++) {
				if (values.get(i) != null) {
					registry.put(page.get(i).substring(prefix.length()), values.get(i));
				}
			}
		}));
		return registry;
	}

	@Override
	public void writeRegistry(Map<String, String> entries, boolean overwrite) {
		if (entries.isEmpty()) {
			return;
		}
		String prefix = keys().registryPrefix();
		List<String> keys = new ArrayList<>(entries.size());
		String[] arguments = new String[entries.size() + 1];
		arguments[0] = overwrite ? "" : "nx";
		int i = 1;
		for (Map.Entry<String, String> entry : entries.entrySet()) {
			keys.add(prefix + entry.getKey());
			arguments[i++] = entry.getValue();
		}
		JedisFailures.call(() -> ScriptCalls.run(this.client, LockScripts.WRITE_ALL, keys, arguments));
	}

	@Override
	public boolean readFencingCounters(String prefix, String suffix, Consumer<Map<String, Long>> batch) {
		return JedisFailures.call(() -> readCounters(prefix, suffix, batch));
	}

	private boolean readCounters(String prefix, String suffix, Consumer<Map<String, Long>> batch) {
		String marker = keys().marker();
		if (!this.client.exists(marker)) {
			return false;
		}
		scan(globEscape(prefix) + "*" + globEscape(suffix), (page) -> {
			List<String> values = this.client.mget(page.toArray(String[]::new));
			Map<String, Long> counters = new LinkedHashMap<>();
			for (int i = 0; i < page.size(); i++) {
				Long value = parseCounter(values.get(i));
				if (value != null) {
					counters.put(page.get(i), value);
				}
			}
			if (!counters.isEmpty()) {
				batch.accept(counters);
			}
		});
		// a restart without persistence would have wiped the marker with the counters
		return this.client.exists(marker);
	}

	private Void scan(String pattern, Consumer<List<String>> pages) {
		ScanParams params = new ScanParams().match(pattern).count(BATCH);
		String cursor = ScanParams.SCAN_POINTER_START;
		do {
			ScanResult<String> page = this.client.scan(cursor, params);
			cursor = page.getCursor();
			if (!page.getResult().isEmpty()) {
				pages.accept(page.getResult());
			}
		}
		while (!ScanParams.SCAN_POINTER_START.equals(cursor));
		return null;
	}

	@Override
	public void raiseFencingCounters(Map<String, Long> counters) {
		if (counters.isEmpty()) {
			return;
		}
		List<String> keys = new ArrayList<>(counters.keySet());
		String[] values = keys.stream().map((key) -> Long.toString(counters.get(key))).toArray(String[]::new);
		JedisFailures.call(() -> ScriptCalls.run(this.client, LockScripts.RAISE_COUNTERS, keys, values));
	}

	private static Long parseCounter(String value) {
		if (value == null) {
			return null;
		}
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/** Escapes the glob characters of {@code SCAN MATCH} in a literal prefix. */
	static String globEscape(String text) {
		StringBuilder escaped = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

}
