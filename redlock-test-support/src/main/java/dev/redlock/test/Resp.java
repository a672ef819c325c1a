package dev.redlock.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client for fixtures: one command per connection, no pooling, no dependency.
 */
final class Resp {

	private Resp() {
	}

	/**
	 * Sends one command and reads its reply.
	 * @return a String (simple or bulk string, or {@code null}), a Long, or a List
	 * @throws IOException on I/O errors; a Redis error reply is an {@link IOException} too
	 */
	static Object call(String host, int port, int timeoutMillis, String password, String... command)
			throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), timeoutMillis);
			socket.setSoTimeout(timeoutMillis);
			BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
			authenticate(socket, in, password);
			write(socket.getOutputStream(), command);
			return read(in);
		}
	}

	private static void authenticate(Socket socket, InputStream in, String password) throws IOException {
		if (password != null) {
			write(socket.getOutputStream(), "AUTH", password);
			read(in);
		}
	}

	/**
	 * Sends one command and returns without waiting for the reply, keeping the connection open on
	 * a daemon thread until the server answers (used for commands that block the server).
	 */
	static void send(String host, int port, String password, String... command) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(host, port), 1000);
		BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
		authenticate(socket, in, password);
		write(socket.getOutputStream(), command);
		Thread drain = new Thread(() -> {
			try (socket) {
				read(in);
			}
			catch (IOException ex) {
				// the server went away; nothing to drain
			}
		}, "redis-fixture-drain");
		drain.setDaemon(true);
		drain.start();
	}

	private static void write(OutputStream out, String... command) throws IOException {
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		buffer.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.UTF_8));
		for (String part : command) {
			byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
			buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
			buffer.writeBytes(bytes);
			buffer.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		out.write(buffer.toByteArray());
		out.flush();
	}

	private static Object read(InputStream in) throws IOException {
		int type = in.read();
		String line = line(in);
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
				byte[] bytes = in.readNBytes(length + 2);
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*': {
				int count = Integer.parseInt(line);
				if (count < 0) {
					return null;
				}
				List<Object> items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(read(in));
				}
				return items;
			}
			case -1:
				throw new IOException("Connection closed by the server");
			default:
				throw new IOException("Unexpected RESP type '" + (char) type + "'");
		}
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		int current;
		while ((current = in.read()) != -1) {
			if (previous == '\r' && current == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(current);
			previous = current;
		}
		throw new IOException("Connection closed by the server");
	}

}
