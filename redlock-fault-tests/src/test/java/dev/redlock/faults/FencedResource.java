package dev.redlock.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import dev.redlock.test.RedisServerProcess;
import dev.redlock.test.RespConnection;

/**
 * The resource the locks protect, with the check docs/semantics.md ("Fencing tokens") recommends: it keeps, per lock key,
 * the highest fencing token it has accepted and rejects every write with a lower one. It lives
 * outside every client, on a {@code redis-server} of its own that no fault touches; the check and
 * the write are one Lua script, so they are atomic, and the script appends every write, accepted
 * or not, to one list: the resource's own order of events, which the checker reads afterwards.
 */
final class FencedResource implements AutoCloseable {

	/** The key of the list of every write, in the order the resource saw them. */
	static final String LOG = "resource:log";

	/**
	 * Set on the resource's server for the negative control {@link Sabotage#FENCING_OFF}: the
	 * script then accepts every write, whatever its token.
	 */
	static final String UNFENCED = "resource:unfenced";

	/**
	 * KEYS[1] the highest accepted token of the lock key; ARGV: lock key, token, hold, client time.
	 * A write with a token at least the highest is accepted (the same holder writes several times
	 * under one token); every write, if {@value #UNFENCED} is set.
	 */
	static final String WRITE_SCRIPT = "local highest = tonumber(redis.call('get', KEYS[1]) or '-1') "
			+ "local token = tonumber(ARGV[2]) local accepted = 0 "
			+ "if token >= highest then redis.call('set', KEYS[1], ARGV[2]) accepted = 1 "
			+ "elseif redis.call('exists', '" + UNFENCED + "') == 1 then accepted = 1 end "
			+ "redis.call('rpush', '" + LOG + "', ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. ARGV[3] .. ' ' .. accepted "
			+ ".. ' ' .. ARGV[4]) return accepted";

	/**
	 * One write as the resource saw it.
	 * @param key the lock key the write was made under
	 * @param token the writer's fencing token
	 * @param hold the writer's hold
	 * @param accepted whether the resource accepted it
	 * @param at when the writer sent it ({@link System#nanoTime()})
	 */
	record Write(String key, long token, String hold, boolean accepted, long at) {
	}

	private final RedisServerProcess server;

	private FencedResource(RedisServerProcess server) {
		this.server = server;
	}

	/**
	 * Starts the resource's server.
	 * @param alsoBind a further address clients reach it on, or {@code null}
	 * @param fencing whether it checks tokens ({@code false} only for a negative control)
	 * @return the resource
	 */
	static FencedResource start(String alsoBind, boolean fencing) {
		var builder = RedisServerProcess.builder();
		if (alsoBind != null) {
			builder.alsoBind(alsoBind);
		}
		FencedResource resource = new FencedResource(builder.start());
		if (!fencing) {
			resource.server.call("SET", UNFENCED, "1");
		}
		return resource;
	}

	int port() {
		return this.server.port();
	}

	/**
	 * Every write, in the order the resource saw them.
	 * @return the writes
	 */
	List<Write> log() {
		List<Write> writes = new ArrayList<>();
		Object reply = this.server.call("LRANGE", LOG, "0", "-1");
		for (Object entry : (List<?>) reply) {
			String[] fields = ((String) entry).split(" ");
			writes.add(new Write(fields[0], Long.parseLong(fields[1]), fields[2], "1".equals(fields[3]),
					Long.parseLong(fields[4])));
		}
		return writes;
	}

	@Override
	public void close() {
		this.server.close();
	}

	/**
	 * A client's connection to the resource, used by one worker thread.
	 */
	static final class Client implements AutoCloseable {

		private final String host;

		private final int port;

		private RespConnection connection;

		Client(String host, int port) {
			this.host = host;
			this.port = port;
		}

		/**
		 * Writes under a fencing token.
		 * @param key the lock key
		 * @param token the token
		 * @param hold the writer's hold
		 * @param at when the write is sent
		 * @return whether the resource accepted it
		 */
		boolean write(String key, long token, String hold, long at) {
			try {
				if (this.connection == null) {
					this.connection = RespConnection.open(this.host, this.port, 30_000, null);
				}
				Object reply = this.connection.call("EVAL", WRITE_SCRIPT, "1", "resource:" + key + ":highest", key,
						Long.toString(token), hold, Long.toString(at));
				return Long.valueOf(1).equals(reply);
			}
			catch (IOException ex) {
				close();
				throw new UncheckedIOException("The fenced resource at " + this.host + ":" + this.port + " failed", ex);
			}
		}

		@Override
		public void close() {
			if (this.connection != null) {
				this.connection.close();
				this.connection = null;
			}
		}

	}

}
