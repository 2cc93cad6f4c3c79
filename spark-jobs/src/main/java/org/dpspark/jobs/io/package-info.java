/**
 * Publishing outputs all or nothing ({@link org.dpspark.jobs.io.AtomicOutput}): written under a temporary name
 * beside the target and renamed into place, on any Hadoop file system; checked to be publishable before any
 * budget is spent.
 */
package org.dpspark.jobs.io;
