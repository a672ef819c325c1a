package dev.redlock.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The one thread of a {@link DelayProxy}: accepts on a loopback port, connects each client to the
 * target and moves the bytes of every connection with non-blocking I/O, each chunk when its delay
 * is over.
 */
final class ProxyLoop implements Runnable {

	private final InetSocketAddress target;

	private final LongSupplier delayNanos;

	private final ServerSocketChannel server;

	private final Selector selector;

	private final Set<ProxyConnection> connections = new HashSet<>();

	private final AtomicInteger open = new AtomicInteger();

	private volatile boolean closed;

	/**
	 * Listens on a free loopback port.
	 * @param target where connections are forwarded
	 * @param delayNanos the delay at the time bytes are read
	 * @throws IOException if the port cannot be opened
	 */
	ProxyLoop(InetSocketAddress target, LongSupplier delayNanos) throws IOException {
		this.target = target;
		this.delayNanos = delayNanos;
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
	}

	int port() {
		return this.server.socket().getLocalPort();
	}

	int openConnections() {
		return this.open.get();
	}

	/** Makes {@link #run()} close every connection and the port, and return. */
	void stop() {
		this.closed = true;
		try {
			this.selector.wakeup();
		}
		catch (ClosedSelectorException ex) {
			// already closed
		}
	}

	@Override
	public void run() {
		try {
			while (!this.closed) {
				long now = System.nanoTime();
				long nextDue = Long.MAX_VALUE;
				for (ProxyConnection connection : List.copyOf(this.connections)) {
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
					else if (waitNanos < 1_000_000) {
						// a delay under a millisecond (an emulated LAN): the selector waits whole milliseconds
						LockSupport.parkNanos(waitNanos);
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
			for (ProxyConnection connection : List.copyOf(this.connections)) {
				connection.close();
			}
			ProxyConnection.closeQuietly(this.server);
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
		ProxySide side = (ProxySide) key.attachment();
		ProxyConnection connection = side.connection;
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
			ProxyConnection connection = new ProxyConnection(client, upstream, this.delayNanos, this::closed);
			boolean connected = upstream.connect(this.target);
			connection.register(this.selector, connected);
			this.connections.add(connection);
			this.open.incrementAndGet();
		}
		catch (IOException ex) {
			ProxyConnection.closeQuietly(client);
			ProxyConnection.closeQuietly(upstream);
		}
	}

	private void closed(ProxyConnection connection) {
		this.connections.remove(connection);
		this.open.decrementAndGet();
	}

}
