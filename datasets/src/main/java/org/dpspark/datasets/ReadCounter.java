package org.dpspark.datasets;

/**
 * What a step's gathers read from a block's features: the sampled rows' bytes (rows gathered times the stored bytes
 * a row), the bytes actually read from where the features live (memory or the block's file) and the number of
 * positional reads of a file. One per task and step; not thread-safe. Carries counts only, never a value.
 */
public final class ReadCounter {
    private long sampledBytes;
    private long bytesRead;
    private long reads;

    /** Adds a gather of {@code sampled} bytes of rows that read {@code read} bytes in {@code ioCalls} file reads. */
    public void add(long sampled, long read, long ioCalls) {
        sampledBytes += sampled;
        bytesRead += read;
        reads += ioCalls;
    }

    /** The sampled rows' bytes, as stored (rows times dim times 8 or 4). */
    public long sampledBytes() {
        return sampledBytes;
    }

    /** The bytes actually read (from memory, or from the block's file). */
    public long bytesRead() {
        return bytesRead;
    }

    /** The positional reads of a block file (0 for blocks in memory). */
    public long reads() {
        return reads;
    }

    @Override
    public String toString() {
        return "ReadCounter[sampledBytes=" + sampledBytes + ", bytesRead=" + bytesRead + ", reads=" + reads + "]";
    }
}
