package org.dpspark.datasets;

/**
 * An input file that cannot be read as its format: truncated, not gzip, a corrupt footer, a size field larger than
 * the file. Bad input (the data, not the system), so it is an {@link IllegalArgumentException}. The message names the
 * file and the problem, never a value from the file.
 */
public final class CorruptInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String problem;

    public CorruptInputException(String file, String problem) {
        this(file, problem, null);
    }

    public CorruptInputException(String file, String problem, Throwable cause) {
        super("input file '" + file + "': " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file, as the reader named it (a path or URI). */
    public String file() {
        return file;
    }

    /** The problem, e.g. "truncated gzip stream". */
    public String problem() {
        return problem;
    }
}
