package dev.redlock.benchmarks;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The wire floor of a fan-out: on the calling thread, with one Jedis {@link Connection} per
 * thread and node, each command is written to every node's socket first and the replies are read
 * afterwards, so the nodes work in parallel without a single thread hand-off. It waits for every
 * reply (blocking sockets cannot decide on the first majority), so it is a floor only while all
 * nodes are fast.
 */
final class RawInlineLocker implements Locker {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final List<HostAndPort> nodes;

	private final JedisClientConfig config = DefaultJedisClientConfig.builder().socketTimeoutMillis(100)
		.connectionTimeoutMillis(1000).build();

	private final Queue<Connection> opened = new ConcurrentLinkedQueue<>();

	private final ThreadLocal<FlushingConnection[]> connections = ThreadLocal.withInitial(this::connect);

	private final String releaseSha;

	private final int quorum;

	private final String ttl = Long.toString(Implementation.LEASE.toMillis());

	RawInlineLocker(List<String> uris) {
		this.nodes = uris.stream().map(URI::create).map((uri) -> new HostAndPort(uri.getHost(), uri.getPort())).toList();
		this.quorum = uris.size() / 2 + 1;
		String sha = null;
		for (FlushingConnection connection : this.connections.get()) {
			connection.sendCommand(Protocol.Command.SCRIPT, "LOAD", RawJedisLocker.RELEASE);
			sha = connection.getBulkReply();
		}
		this.releaseSha = sha;
	}

	private FlushingConnection[] connect() {
		FlushingConnection[] connections = new FlushingConnection[this.nodes.size()];
		for (int i = 0; i < connections.length; i++) {
			connections[i] = new FlushingConnection(this.nodes.get(i), this.config);
			this.opened.add(connections[i]);
		}
		return connections;
	}

	@Override
	public boolean withLock(String key, Duration wait, Runnable criticalSection) {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		String token = HexFormat.of().formatHex(bytes);
		String fullKey = "raw:" + key;
		FlushingConnection[] connections = this.connections.get();
		boolean[] sent = send(connections, Protocol.Command.SET, fullKey, token, "NX", "PX", this.ttl);
		int acquired = 0;
		for (int i = 0; i < connections.length; i++) {
			try {
				if (sent[i] && "OK".equals(connections[i].getStatusCodeReply())) {
					acquired++;
				}
			}
			catch (JedisException ex) {
				replace(connections, i);
			}
		}
		boolean locked = acquired >= this.quorum;
		try {
			if (locked) {
				criticalSection.run();
			}
		}
		finally {
			sent = send(connections, Protocol.Command.EVALSHA, this.releaseSha, "1", fullKey, token);
			for (int i = 0; i < connections.length; i++) {
				try {
					if (sent[i]) {
						connections[i].getIntegerReply();
					}
				}
				catch (JedisException ex) {
					replace(connections, i);
				}
			}
		}
		return locked;
	}

	/** Writes a command to every node's socket without waiting for replies. */
	private boolean[] send(FlushingConnection[] connections, Protocol.Command command, String... args) {
		boolean[] sent = new boolean[connections.length];
		for (int i = 0; i < connections.length; i++) {
			try {
				connections[i].sendCommand(command, args);
				connections[i].flushNow();
				sent[i] = true;
			}
			catch (JedisException ex) {
				replace(connections, i);
			}
		}
		return sent;
	}

	/** Drops a connection that failed (its replies are out of step) for a new one. */
	private void replace(FlushingConnection[] connections, int index) {
		connections[index].close();
		this.opened.remove(connections[index]);
		connections[index] = new FlushingConnection(this.nodes.get(index), this.config);
		this.opened.add(connections[index]);
	}

	@Override
	public void close() {
		this.opened.forEach(Connection::close);
	}

	/** A connection whose buffered commands can be sent without waiting for a reply. */
	private static final class FlushingConnection extends Connection {

		FlushingConnection(HostAndPort node, JedisClientConfig config) {
			super(node, config);
		}

		void flushNow() {
			flush();
		}

	}

}
