namespace Mote.Runtime.Loading
{
    /// <summary>
    /// Where a blob's bytes come from when it is not already one byte[]: an embedded resource
    /// stream, a file on an SD card or internal flash file system, a serial link. The same
    /// contract as <c>Stream.Read</c>, so an adapter is one line on every platform.
    /// </summary>
    public interface IBlobSource
    {
        /// <summary>
        /// Reads at most <paramref name="count"/> bytes into <paramref name="buffer"/> at
        /// <paramref name="offset"/>. Returns how many were read (1..count; fewer is a short read,
        /// not an error) or 0 at the end of the source. Never asked for count 0.
        /// </summary>
        int Read(byte[] buffer, int offset, int count);
    }
}
