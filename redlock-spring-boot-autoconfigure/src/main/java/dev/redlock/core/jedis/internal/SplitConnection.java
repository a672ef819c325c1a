package dev.redlock.core.jedis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Protocol;

/**
 * A Jedis connection whose command can be sent now and its answer read later, and that tells
 * whether the answer has begun to arrive without reading it. The socket is Jedis's own (made by
 * its {@link DefaultJedisSocketFactory}, so host mapping and every socket option stay Jedis's);
 * only its input is seen through a stream that reads ahead what has arrived and hands it to
 * Jedis's reply parser first. Used by one thread at a time, like every Jedis connection.
 *
 * <p>This leans on Jedis internals (the protected {@code sendCommand}/{@code flush} of
 * {@link Connection}, the order in which it reads a reply): {@link SplitExchanges#selfCheck}
 * proves it against each node before it is used.
 */
final class SplitConnection extends Connection {

	private final PeekingSocketFactory sockets;

	private SplitConnection(PeekingSocketFactory sockets, JedisClientConfig config) {
		super(sockets, config);
		this.sockets = sockets;
	}

	static SplitConnection connect(HostAndPort node, JedisClientConfig config) {
		return new SplitConnection(new PeekingSocketFactory(new DefaultJedisSocketFactory(node, config)), config);
	}

	/**
	 * Writes a command to the socket without reading its answer.
	 * @param command the command
	 * @param arguments its arguments
	 */
	void send(Protocol.Command command, String... arguments) {
		sendCommand(command, arguments);
		flush();
	}

	/** The arguments of a command whose first argument goes before {@code rest}. */
	static String[] prepend(String first, String[] rest) {
		String[] all = new String[rest.length + 1];
		all[0] = first;
		System.arraycopy(rest, 0, all, 1, rest.length);
		return all;
	}

	/**
	 * Whether the answer has begun to arrive, so that reading it would not wait for the node.
	 * @return {@code true} if bytes are there to read (or the connection has ended)
	 */
	boolean isAnswered() {
		PeekingSocket socket = this.sockets.last;
		return socket == null || socket.input.isReadable();
	}

	/**
	 * Waits until the answer begins to arrive, without reading it.
	 * @param timeoutNanos the longest wait; rounded up to whole milliseconds
	 * @return {@code true} if it has (or the connection has ended), {@code false} on timeout
	 */
	boolean awaitAnswer(long timeoutNanos) {
		PeekingSocket socket = this.sockets.last;
		if (socket == null) {
			return true;
		}
		int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
		try {
			return socket.input.awaitReadable(socket.delegate, millis);
		}
		catch (IOException ex) {
			// let the read report it
			return true;
		}
	}

	/** Makes sockets with Jedis's own factory and remembers the last one, seen through a peeking input. */
	private static final class PeekingSocketFactory implements JedisSocketFactory {

		private final JedisSocketFactory jedis;

		private volatile PeekingSocket last;

		PeekingSocketFactory(JedisSocketFactory jedis) {
			this.jedis = jedis;
		}

		@Override
		public Socket createSocket() {
			PeekingSocket socket = new PeekingSocket(this.jedis.createSocket());
			this.last = socket;
			return socket;
		}

	}

	/**
	 * Jedis's socket with an input that can be waited on without being read. Overrides every
	 * method {@link Connection} calls and hands it to the real socket.
	 */
	private static final class PeekingSocket extends Socket {

		final Socket delegate;

		final PeekingInputStream input;

		PeekingSocket(Socket delegate) {
			this.delegate = delegate;
			try {
				this.input = new PeekingInputStream(delegate.getInputStream());
			}
			catch (IOException ex) {
				closeQuietly(delegate);
				throw new redis.clients.jedis.exceptions.JedisConnectionException("Failed to open the socket's input", ex);
			}
		}

		private static void closeQuietly(Socket socket) {
			try {
				socket.close();
			}
			catch (IOException ignored) {
				// closing after a failure
			}
		}

		@Override
		public InputStream getInputStream() {
			return this.input;
		}

		@Override
		public OutputStream getOutputStream() throws IOException {
			return this.delegate.getOutputStream();
		}

		@Override
		public void setSoTimeout(int timeout) throws SocketException {
			this.delegate.setSoTimeout(timeout);
		}

		@Override
		public int getSoTimeout() throws SocketException {
			return this.delegate.getSoTimeout();
		}

		@Override
		public SocketAddress getRemoteSocketAddress() {
			return this.delegate.getRemoteSocketAddress();
		}

		@Override
		public SocketAddress getLocalSocketAddress() {
			return this.delegate.getLocalSocketAddress();
		}

		@Override
		public boolean isConnected() {
			return this.delegate.isConnected();
		}

		@Override
		public boolean isBound() {
			return this.delegate.isBound();
		}

		@Override
		public boolean isClosed() {
			return this.delegate.isClosed();
		}

		@Override
		public boolean isInputShutdown() {
			return this.delegate.isInputShutdown();
		}

		@Override
		public boolean isOutputShutdown() {
			return this.delegate.isOutputShutdown();
		}

		@Override
		public void close() throws IOException {
			this.delegate.close();
		}

		@Override
		public String toString() {
			return this.delegate.toString();
		}

	}

}
