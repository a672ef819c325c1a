package dev.redlock.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 connection for the benchmarks' own bookkeeping ({@code INFO commandstats},
 * {@code MONITOR}, {@code FLUSHALL}), so that counting commands never goes through a client under
 * test.
 */
final class Resp implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	Resp(int port, int timeoutMillis) {
		try {
			this.socket = new Socket();
			this.socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
			this.socket.setSoTimeout(timeoutMillis);
			this.socket.setTcpNoDelay(true);
			this.in = new BufferedInputStream(this.socket.getInputStream());
			this.out = this.socket.getOutputStream();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot connect to redis on port " + port, ex);
		}
	}

	/**
	 * Runs one command on a fresh connection.
	 */
	static Object call(int port, String... command) {
		try (Resp resp = new Resp(port, 5000)) {
			resp.send(command);
			return resp.read();
		}
	}

	/**
	 * The port of a {@code redis://host:port} URI.
	 */
	static int port(String uri) {
		return URI.create(uri).getPort();
	}

	void send(String... command) {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		buffer.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.UTF_8));
		for (String part : command) {
			byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
			buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
			buffer.writeBytes(bytes);
			buffer.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		try {
			this.out.write(buffer.toByteArray());
			this.out.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Reads one reply: a String, a Long, a List or {@code null}.
	 */
	Object read() {
		try {
			return readReply();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private Object readReply() throws IOException {
		int type = this.in.read();
		String line = line();
		switch (type) {
			case '+':
				return line;
			case '-':
				throw new IOException("Redis error: " + line);
			case ':':
				return Long.parseLong(line);
			case '$': {
				int length = Integer.parseInt(line);
				if (length < 0) {
					return null;
				}
				byte[] bytes = this.in.readNBytes(length + 2);
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(readReply());
				}
				return items;
			}
			case -1:
				throw new IOException("Connection closed by the server");
			default:
				throw new IOException("Unexpected RESP type '" + (char) type + "'");
		}
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = this.in.read()) != -1) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		throw new IOException("Connection closed by the server");
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
