using System;

namespace Mote.Runtime.Loading
{
    /// <summary>Why <see cref="BlobLoader"/> refused a blob before <see cref="Model.Load(byte[])"/> saw it.</summary>
    public enum BlobLoadError
    {
        /// <summary>The source ended before the header (64 bytes) or before the header's total length.</summary>
        Truncated = 1,
        /// <summary>The first bytes are not a Mote header: magic is not "MOTE", or the header or total length is impossible.</summary>
        NotABlob = 2,
        /// <summary>The header's total length is larger than the preallocated buffer: the blob does not fit.</summary>
        TooLarge = 3,
        /// <summary>All bytes arrived but their CRC-32 differs from the header's: corrupted in storage or transfer.</summary>
        CrcMismatch = 4,
        /// <summary>The source broke its contract (returned a negative count or more than asked).</summary>
        SourceError = 5,
    }

    /// <summary>
    /// A chunked load failed. <see cref="Error"/> says why; <see cref="BytesRead"/> how far the load
    /// got; <see cref="Expected"/> the number that was not met (total length, buffer size or CRC).
    /// Everything past these checks (sections, tensors, operators) is <see cref="Model.Load(byte[])"/>'s
    /// and reported as <see cref="MoteFormatException"/>.
    /// </summary>
    public class BlobLoadException : Exception
    {
        public BlobLoadError Error { get; private set; }
        public int BytesRead { get; private set; }
        public long Expected { get; private set; }

        public BlobLoadException(BlobLoadError error, int bytesRead, long expected, string message)
            : base("cannot load blob: " + message)
        {
            Error = error;
            BytesRead = bytesRead;
            Expected = expected;
        }
    }
}
