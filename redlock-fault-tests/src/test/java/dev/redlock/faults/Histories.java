package dev.redlock.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.redlock.faults.HistoryWriter.Event;
import dev.redlock.test.LockHold;

/**
 * The histories of every client, merged: their holds, and the events that are not part of a
 * hold's validity (failed acquisitions, losses, unexpected errors).
 */
final class Histories {

	/** An event with its time, for counting per phase. */
	record Timed(long at, String hold, String detail) {
	}

	final Map<String, LockHold> holds = new LinkedHashMap<>();

	final List<Timed> freeFailures = new ArrayList<>();

	final List<Timed> contendedFailures = new ArrayList<>();

	final List<Timed> losses = new ArrayList<>();

	final List<Timed> errors = new ArrayList<>();

	private int lines;

	static Histories read(List<Path> files) {
		Histories histories = new Histories();
		for (Path file : files) {
			try {
				List<String> lines = Files.readAllLines(file);
				for (int i = 0; i < lines.size(); i++) {
					if (!lines.get(i).isBlank()) {
						histories.add(file, i + 1, lines.get(i));
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot read the history " + file, ex);
			}
		}
		return histories;
	}

	int lines() {
		return this.lines;
	}

	private void add(Path file, int number, String line) {
		try {
			add(line);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Unreadable history line " + number + " of " + file + " (written by "
					+ "another run into the same file?): " + line.replace("\0", "\\0"), ex);
		}
	}

	private void add(String line) {
		this.lines++;
		String[] fields = line.split(" ");
		long at = Long.parseLong(fields[0]);
		Event event = Event.valueOf(fields[1]);
		String id = fields[2];
		LockHold hold = this.holds.get(id);
		switch (event) {
			case REQUEST -> this.holds.put(id, new LockHold(id, fields[3] + ("fenced".equals(fields[4]) ? " fenced" : ""),
					List.of(fields[6].split(",")), at, Long.parseLong(fields[5])));
			case GRANT -> hold.granted(at, Long.parseLong(fields[4]), Long.parseLong(fields[3]));
			case VALID -> hold.validUntil(at, Long.parseLong(fields[3]));
			case EXTEND -> hold.validUntil(at, Long.parseLong(fields[4]));
			case END -> hold.ended(at);
			case FAIL -> ("contended".equals(fields[3]) ? this.contendedFailures : this.freeFailures)
				.add(new Timed(at, id, fields[4]));
			case LOST -> {
				if (hold != null) {
					hold.lost();
				}
				this.losses.add(new Timed(at, id, fields[3]));
			}
			case ERROR -> this.errors.add(new Timed(at, id, fields[3]));
			case WRITE -> {
				// the resource's own log is the record of writes
			}
		}
	}

}
