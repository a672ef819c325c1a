package dev.redlock.core.jedis.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A socket's input with room for one byte read ahead: waiting for an answer reads its first
 * byte, and the next read returns it first.
 */
final class PeekingInputStream extends FilterInputStream {

	private int ahead = -1;

	private boolean ended;

	PeekingInputStream(InputStream in) {
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
