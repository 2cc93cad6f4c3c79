package org.dpspark.jobs.io;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code failrename:}, whose rename to a destination ending in
 * {@code .html} fails (returns false, as HDFS does): the second move of a report pair.
 */
public class FailingRenameFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "failrename";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        if (dst.getName().endsWith(".html")) {
            return false;
        }
        return super.rename(src, dst);
    }
}
