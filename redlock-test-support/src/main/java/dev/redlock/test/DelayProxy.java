package dev.redlock.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a free loopback port that forwards every connection to one loopback target and
 * can hold the traffic back for a while, as a slow network link would. The delay applies to both
 * directions, can be changed at any time (it applies to bytes read after the change) and never
 * reorders the bytes of a connection: a chunk is forwarded no earlier than the chunk before it.
 * A delay of zero forwards at once.
 *
 * <p>One daemon thread serves every connection of a proxy (non-blocking I/O), so the number of
 * threads does not grow with the number of connections. When one side of a connection closes,
 * the bytes already read from it are still delivered (after their delay), then both sides are
 * closed; a target that refuses the connection makes the proxy close the client's connection.
 *
 * <pre>{@code
 * try (DelayProxy proxy = DelayProxy.to(server)) {
 *     proxy.setDelay(Duration.ofMillis(50));
 *     // connect to proxy.uri() instead of server.uri()
 * }
 * }</pre>
 */
public final class DelayProxy implements AutoCloseable {

	private static final int CHUNK_BYTES = 16 * 1024;

	/** Bytes waiting in one direction beyond which the proxy stops reading from the sender. */
	private static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;

	private static final AtomicInteger COUNT = new AtomicInteger();

	private final InetSocketAddress target;

	private final ServerSocketChannel server;

	private final Selector selector;

	private final Thread loop;

	private final Set<Connection> connections = new HashSet<>();

	private final AtomicInteger open = new AtomicInteger();

	private volatile long delayNanos;

	private volatile boolean closed;

	private DelayProxy(InetSocketAddress target) throws IOException {
		this.target = target;
		this.selector = Selector.open();
		this.server = ServerSocketChannel.open();
		try {
			this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
			this.server.configureBlocking(false);
			this.server.register(this.selector, SelectionKey.OP_ACCEPT);
		}
		catch (IOException ex) {
			this.server.close();
			this.selector.close();
			throw ex;
		}
		this.loop = new Thread(this::run, "delay-proxy-" + COUNT.incrementAndGet() + "-" + port() + "->"
				+ target.getPort());
		this.loop.setDaemon(true);
		this.loop.start();
	}

	/**
	 * Starts a proxy to a loopback target.
	 * @param host the target's host: a loopback address, such as {@code 127.0.0.1}
	 * @param port the target's port
	 * @return the running proxy, without delay
	 * @throws IllegalArgumentException if the host is not a loopback address
	 */
	public static DelayProxy start(String host, int port) {
		InetAddress address;
		try {
			address = InetAddress.getByName(host);
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Unknown proxy target host '" + host + "'", ex);
		}
		if (!address.isLoopbackAddress()) {
			throw new IllegalArgumentException("DelayProxy forwards to loopback addresses only, not to '" + host + "'");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("Proxy target port must be between 1 and 65535, but was " + port);
		}
		try {
			return new DelayProxy(new InetSocketAddress(address, port));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start a proxy to " + host + ":" + port, ex);
		}
	}

	/**
	 * Starts a proxy to a fixture server; it keeps forwarding to the same port after the server
	 * restarts.
	 * @param server the server
	 * @return the running proxy, without delay
	 */
	public static DelayProxy to(RedisServerProcess server) {
		return start(RedisServerProcess.HOST, server.port());
	}

	/**
	 * Sets the delay of bytes read from now on, in each direction; bytes already waiting keep
	 * theirs.
	 * @param delay the delay, zero to forward at once
	 */
	public void setDelay(Duration delay) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("Proxy delay must be zero or positive, but was " + delay);
		}
		this.delayNanos = delay.toNanos();
	}

	/**
	 * The current delay.
	 * @return the delay in each direction
	 */
	public Duration delay() {
		return Duration.ofNanos(this.delayNanos);
	}

	/**
	 * The port the proxy listens on.
	 * @return the proxy's port on {@code 127.0.0.1}
	 */
	public int port() {
		return this.server.socket().getLocalPort();
	}

	/**
	 * The proxy's address as a Redis URI.
	 * @return {@code redis://127.0.0.1:port}
	 */
	public String uri() {
		return "redis://" + RedisServerProcess.HOST + ":" + port();
	}

	/**
	 * The target's port.
	 * @return the port connections are forwarded to
	 */
	public int targetPort() {
		return this.target.getPort();
	}

	/**
	 * How many connections are open now.
	 * @return the count of client connections the proxy serves
	 */
	public int openConnections() {
		return this.open.get();
	}

	/**
	 * Stops accepting, closes every connection (bytes still waiting are dropped) and ends the
	 * proxy's thread.
	 */
	@Override
	public void close() {
		this.closed = true;
		try {
			this.selector.wakeup();
		}
		catch (ClosedSelectorException ex) {
			// already closed
		}
		if (Thread.currentThread() != this.loop) {
			try {
				this.loop.join(TimeUnit.SECONDS.toMillis(5));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public String toString() {
		return "DelayProxy[127.0.0.1:" + port() + " -> " + this.target.getPort() + ", delay "
				+ TimeUnit.NANOSECONDS.toMillis(this.delayNanos) + "ms]";
	}

	private void run() {
		try {
			while (!this.closed) {
				long now = System.nanoTime();
				long nextDue = Long.MAX_VALUE;
				for (Connection connection : List.copyOf(this.connections)) {
					nextDue = Math.min(nextDue, connection.flush(now));
				}
				if (this.closed) {
					break;
				}
				if (nextDue == Long.MAX_VALUE) {
					this.selector.select();
				}
				else {
					long waitNanos = nextDue - System.nanoTime();
					if (waitNanos <= 0) {
						this.selector.selectNow();
					}
					else {
						this.selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
					}
				}
				Iterator<SelectionKey> selected = this.selector.selectedKeys().iterator();
				while (selected.hasNext()) {
					SelectionKey key = selected.next();
					selected.remove();
					if (key.isValid()) {
						handle(key);
					}
				}
			}
		}
		catch (IOException | ClosedSelectorException ex) {
			// the proxy is going away
		}
		finally {
			for (Connection connection : List.copyOf(this.connections)) {
				connection.close();
			}
			closeQuietly(this.server);
			try {
				this.selector.close();
			}
			catch (IOException ex) {
				// nothing left to do
			}
		}
	}

	private void handle(SelectionKey key) {
		if (key.channel() == this.server) {
			accept();
			return;
		}
		Side side = (Side) key.attachment();
		Connection connection = side.connection;
		try {
			if (key.isConnectable()) {
				connection.connected();
			}
			if (key.isValid() && key.isReadable()) {
				side.read();
			}
			if (key.isValid() && key.isWritable()) {
				connection.flush(System.nanoTime());
			}
		}
		catch (IOException | CancelledKeyException ex) {
			connection.close();
		}
	}

	private void accept() {
		SocketChannel client = null;
		SocketChannel upstream = null;
		try {
			client = this.server.accept();
			if (client == null) {
				return;
			}
			client.configureBlocking(false);
			client.setOption(StandardSocketOptions.TCP_NODELAY, true);
			upstream = SocketChannel.open();
			upstream.configureBlocking(false);
			upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
			Connection connection = new Connection(client, upstream);
			boolean connected = upstream.connect(this.target);
			connection.register(connected);
			this.connections.add(connection);
			this.open.incrementAndGet();
		}
		catch (IOException ex) {
			closeQuietly(client);
			closeQuietly(upstream);
		}
	}

	private static void closeQuietly(java.nio.channels.Channel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// nothing left to do
			}
		}
	}

	/** Bytes read from one side, to be written to the other no earlier than {@code due}. */
	private record Chunk(ByteBuffer bytes, long due) {
	}

	/** One end of a connection: the channel, and what waits to be written to it. */
	private final class Side {

		private final Connection connection;

		private final SocketChannel channel;

		private final ArrayDeque<Chunk> outbound = new ArrayDeque<>();

		private Side peer;

		private SelectionKey key;

		private int pendingBytes;

		private boolean readEnded;

		private boolean connected;

		private boolean blocked;

		Side(Connection connection, SocketChannel channel) {
			this.connection = connection;
			this.channel = channel;
		}

		/** Reads what the channel has and queues it for the peer. */
		void read() throws IOException {
			ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
			int read = this.channel.read(buffer);
			if (read < 0) {
				this.readEnded = true;
				this.connection.updateInterest();
				return;
			}
			if (read == 0) {
				return;
			}
			buffer.flip();
			Side to = this.peer;
			// first in, first out: a chunk never overtakes the one before it, whatever their delays
			to.outbound.addLast(new Chunk(buffer, System.nanoTime() + DelayProxy.this.delayNanos));
			to.pendingBytes += read;
			this.connection.updateInterest();
		}

		/**
		 * Writes every chunk that is due, in order.
		 * @return when the next chunk is due, or {@link Long#MAX_VALUE} if none waits
		 */
		long flush(long now) throws IOException {
			if (!this.connected) {
				return Long.MAX_VALUE;
			}
			while (!this.outbound.isEmpty()) {
				Chunk head = this.outbound.peekFirst();
				if (head.due() - now > 0) {
					return head.due();
				}
				int written = this.channel.write(head.bytes());
				this.pendingBytes -= written;
				this.blocked = head.bytes().hasRemaining();
				if (this.blocked) {
					// the receiver is slow: OP_WRITE tells when to go on
					return Long.MAX_VALUE;
				}
				this.outbound.removeFirst();
			}
			return Long.MAX_VALUE;
		}

		int interest() {
			int ops = 0;
			if (!this.connected) {
				return SelectionKey.OP_CONNECT;
			}
			if (!this.readEnded && this.peer.pendingBytes < MAX_PENDING_BYTES) {
				ops |= SelectionKey.OP_READ;
			}
			if (this.blocked) {
				ops |= SelectionKey.OP_WRITE;
			}
			return ops;
		}

	}

	/** A client connection and its connection to the target. */
	private final class Connection {

		private final Side client;

		private final Side upstream;

		private boolean closed;

		Connection(SocketChannel client, SocketChannel upstream) {
			this.client = new Side(this, client);
			this.upstream = new Side(this, upstream);
			this.client.peer = this.upstream;
			this.upstream.peer = this.client;
			this.client.connected = true;
		}

		void register(boolean upstreamConnected) throws IOException {
			this.upstream.connected = upstreamConnected;
			this.client.key = this.client.channel.register(DelayProxy.this.selector, this.client.interest(),
					this.client);
			this.upstream.key = this.upstream.channel.register(DelayProxy.this.selector, this.upstream.interest(),
					this.upstream);
		}

		void connected() throws IOException {
			this.upstream.channel.finishConnect();
			this.upstream.connected = true;
			updateInterest();
		}

		/**
		 * Writes what is due on both sides; closes the connection once a side has ended and
		 * everything it sent was delivered.
		 * @return when the next chunk is due, or {@link Long#MAX_VALUE}
		 */
		long flush(long now) {
			if (this.closed) {
				return Long.MAX_VALUE;
			}
			try {
				long next = Math.min(this.client.flush(now), this.upstream.flush(now));
				if ((this.client.readEnded && this.upstream.outbound.isEmpty())
						|| (this.upstream.readEnded && this.client.outbound.isEmpty())) {
					close();
					return Long.MAX_VALUE;
				}
				updateInterest();
				return next;
			}
			catch (IOException ex) {
				close();
				return Long.MAX_VALUE;
			}
		}

		void updateInterest() {
			if (this.closed) {
				return;
			}
			for (Side side : List.of(this.client, this.upstream)) {
				if (side.key != null && side.key.isValid()) {
					side.key.interestOps(side.interest());
				}
			}
		}

		void close() {
			if (this.closed) {
				return;
			}
			this.closed = true;
			for (Side side : List.of(this.client, this.upstream)) {
				if (side.key != null) {
					side.key.cancel();
				}
				closeQuietly(side.channel);
			}
			DelayProxy.this.connections.remove(this);
			DelayProxy.this.open.decrementAndGet();
		}

	}

}
