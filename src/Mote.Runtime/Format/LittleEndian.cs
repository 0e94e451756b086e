namespace Mote.Runtime.Format
{
    /// <summary>
    /// Little-endian reads and writes over byte arrays with explicit offsets.
    /// The portable subset has no Span or BinaryPrimitives, so the blob and the
    /// kernels read multi-byte values through these helpers. Callers guarantee
    /// bounds (the loader validates every table before a kernel runs).
    /// </summary>
    public static class LittleEndian
    {
        public static int ReadInt32(byte[] b, int o)
        {
            return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
        }

        public static uint ReadUInt32(byte[] b, int o)
        {
            return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
        }

        public static int ReadUInt16(byte[] b, int o)
        {
            return b[o] | (b[o + 1] << 8);
        }

        public static short ReadInt16(byte[] b, int o)
        {
            return (short)(b[o] | (b[o + 1] << 8));
        }

        public static void WriteInt32(byte[] b, int o, int v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
            b[o + 2] = (byte)(v >> 16);
            b[o + 3] = (byte)(v >> 24);
        }

        public static void WriteUInt16(byte[] b, int o, int v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
        }
    }
}
