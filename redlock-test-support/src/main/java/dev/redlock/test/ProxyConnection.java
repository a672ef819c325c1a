package dev.redlock.test;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A client connection through a {@link DelayProxy} and its connection to the target: both ends,
 * registered with the proxy's selector, closed together. Used by the proxy's one thread only.
 */
final class ProxyConnection {

	private final ProxySide client;

	private final ProxySide upstream;

	private final Consumer<ProxyConnection> onClose;

	private boolean closed;

	/**
	 * Pairs the two channels.
	 * @param delayNanos the proxy's delay at the time bytes are read
	 * @param onClose told once when the connection closes
	 */
	ProxyConnection(SocketChannel client, SocketChannel upstream, LongSupplier delayNanos,
			Consumer<ProxyConnection> onClose) {
		this.client = new ProxySide(this, client, delayNanos);
		this.upstream = new ProxySide(this, upstream, delayNanos);
		this.onClose = onClose;
		this.client.peer = this.upstream;
		this.upstream.peer = this.client;
		this.client.connected = true;
	}

	void register(Selector selector, boolean upstreamConnected) throws IOException {
		this.upstream.connected = upstreamConnected;
		this.client.key = this.client.channel.register(selector, this.client.interest(), this.client);
		this.upstream.key = this.upstream.channel.register(selector, this.upstream.interest(), this.upstream);
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
		for (ProxySide side : List.of(this.client, this.upstream)) {
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
		for (ProxySide side : List.of(this.client, this.upstream)) {
			if (side.key != null) {
				side.key.cancel();
			}
			closeQuietly(side.channel);
		}
		this.onClose.accept(this);
	}

	static void closeQuietly(Channel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// nothing left to do
			}
		}
	}

}
