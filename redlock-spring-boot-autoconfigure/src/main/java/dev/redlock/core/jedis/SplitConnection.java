package dev.redlock.core.jedis;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.PooledObjectFactory;
import org.apache.commons.pool2.impl.DefaultPooledObject;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A Jedis connection to a plain-TCP node whose command can be sent now and its answer read later,
 * and that tells whether the answer has begun to arrive without reading it. One thread can so
 * send a command to several nodes and read their answers as they come, instead of handing each
 * node to a thread of its own. Used by one thread at a time, like every Jedis connection.
 */
final class SplitConnection extends Connection {

	private final PeekableSocketFactory sockets;

	private SplitConnection(PeekableSocketFactory sockets, JedisClientConfig config) {
		super(sockets, config);
		this.sockets = sockets;
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

	/**
	 * Whether the answer has begun to arrive, so that reading it would not wait for the node.
	 * @return {@code true} if bytes are there to read (or the connection has ended)
	 */
	boolean isAnswered() {
		PeekableInputStream in = this.sockets.input;
		return in != null && in.isReadable();
	}

	/**
	 * Waits until the answer begins to arrive, without reading it.
	 * @param timeoutNanos the longest wait; rounded up to whole milliseconds
	 * @return {@code true} if it has (or the connection has ended), {@code false} on timeout
	 */
	boolean awaitAnswer(long timeoutNanos) {
		PeekableInputStream in = this.sockets.input;
		if (in == null) {
			return true;
		}
		int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999)));
		try {
			return in.awaitReadable(this.sockets.socket, millis);
		}
		catch (IOException ex) {
			// let the read report it
			return true;
		}
	}

	/** Makes a pool's connections. */
	static final class Factory implements PooledObjectFactory<Connection> {

		private final HostAndPort node;

		private final JedisClientConfig config;

		Factory(HostAndPort node, JedisClientConfig config) {
			this.node = node;
			this.config = config;
		}

		@Override
		public PooledObject<Connection> makeObject() {
			return new DefaultPooledObject<>(new SplitConnection(new PeekableSocketFactory(this.node, this.config),
					this.config));
		}

		@Override
		public void destroyObject(PooledObject<Connection> pooled) {
			pooled.getObject().disconnect();
		}

		@Override
		public boolean validateObject(PooledObject<Connection> pooled) {
			Connection connection = pooled.getObject();
			try {
				return connection.isConnected() && !connection.isBroken() && connection.ping();
			}
			catch (RuntimeException ex) {
				return false;
			}
		}

		@Override
		public void activateObject(PooledObject<Connection> pooled) {
		}

		@Override
		public void passivateObject(PooledObject<Connection> pooled) {
		}

	}

	/**
	 * Opens plain TCP sockets as Jedis's default factory does (no delay, keep-alive, immediate
	 * close, connect and read timeouts from the configuration), and remembers the last one so
	 * that its connection can look at its input.
	 */
	private static final class PeekableSocketFactory implements JedisSocketFactory {

		private final HostAndPort node;

		private final JedisClientConfig config;

		private volatile Socket socket;

		private volatile PeekableInputStream input;

		PeekableSocketFactory(HostAndPort node, JedisClientConfig config) {
			this.node = node;
			this.config = config;
		}

		@Override
		public Socket createSocket() {
			PeekableSocket created = new PeekableSocket();
			try {
				created.setReuseAddress(true);
				created.setKeepAlive(true);
				created.setTcpNoDelay(true);
				created.setSoLinger(true, 0);
				created.connect(new InetSocketAddress(this.node.getHost(), this.node.getPort()),
						this.config.getConnectionTimeoutMillis());
				created.setSoTimeout(this.config.getSocketTimeoutMillis());
				this.input = (PeekableInputStream) created.getInputStream();
				this.socket = created;
				return created;
			}
			catch (IOException ex) {
				try {
					created.close();
				}
				catch (IOException closing) {
					ex.addSuppressed(closing);
				}
				throw new JedisConnectionException("Failed to connect to " + this.node + ": " + ex.getMessage(), ex);
			}
		}

	}

	/** A socket whose input can be waited for without being read. */
	private static final class PeekableSocket extends Socket {

		private PeekableInputStream input;

		@Override
		public synchronized InputStream getInputStream() throws IOException {
			if (this.input == null) {
				this.input = new PeekableInputStream(super.getInputStream());
			}
			return this.input;
		}

	}

	/**
	 * A socket's input with room for one byte read ahead: waiting for an answer reads its first
	 * byte, and the next read returns it first.
	 */
	private static final class PeekableInputStream extends FilterInputStream {

		private int ahead = -1;

		private boolean ended;

		PeekableInputStream(InputStream in) {
			super(in);
		}

		boolean isReadable() {
			try {
				return this.ahead >= 0 || this.ended || this.in.available() > 0;
			}
			catch (IOException ex) {
				return true;
			}
		}

		boolean awaitReadable(Socket socket, int timeoutMillis) throws IOException {
			if (isReadable()) {
				return true;
			}
			int readTimeout = socket.getSoTimeout();
			socket.setSoTimeout(timeoutMillis);
			try {
				int next = this.in.read();
				if (next < 0) {
					this.ended = true;
				}
				else {
					this.ahead = next;
				}
				return true;
			}
			catch (SocketTimeoutException ex) {
				// nothing was read: the socket is still usable
				return false;
			}
			finally {
				socket.setSoTimeout(readTimeout);
			}
		}

		@Override
		public int read() throws IOException {
			if (this.ahead >= 0) {
				int next = this.ahead;
				this.ahead = -1;
				return next;
			}
			return this.ended ? -1 : this.in.read();
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (length == 0) {
				return 0;
			}
			if (this.ahead >= 0) {
				buffer[offset] = (byte) this.ahead;
				this.ahead = -1;
				int more = Math.min(length - 1, this.in.available());
				return 1 + ((more > 0) ? Math.max(0, this.in.read(buffer, offset + 1, more)) : 0);
			}
			return this.ended ? -1 : this.in.read(buffer, offset, length);
		}

		@Override
		public int available() throws IOException {
			return ((this.ahead >= 0) ? 1 : 0) + this.in.available();
		}

	}

}
