namespace Mote.Runtime.Kernels
{
    /// <summary>Little-endian element reads and writes for the non-int8 kernels (format 1.3).</summary>
    internal static class ElementBytes
    {
        public static int ReadInt16(byte[] b, int o) { return (short)(b[o] | (b[o + 1] << 8)); }

        public static void WriteInt16(byte[] b, int o, int v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
        }

        public static int ReadInt32(byte[] b, int o) { return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24); }

        public static uint ReadUInt32(byte[] b, int o) { return (uint)ReadInt32(b, o); }

        public static void WriteInt32(byte[] b, int o, int v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
            b[o + 2] = (byte)(v >> 16);
            b[o + 3] = (byte)(v >> 24);
        }

        public static void WriteUInt32(byte[] b, int o, uint v) { WriteInt32(b, o, (int)v); }

        public static ulong ReadUInt64(byte[] b, int o)
        {
            return ReadUInt32(b, o) | ((ulong)ReadUInt32(b, o + 4) << 32);
        }

        public static void WriteUInt64(byte[] b, int o, ulong v)
        {
            WriteUInt32(b, o, (uint)v);
            WriteUInt32(b, o + 4, (uint)(v >> 32));
        }

        /// <summary>
        /// Number of significant bits of x (TFLM signal library's MostSignificantBit32 as built by GCC:
        /// 32 - clz(x), and 32 for x = 0 — the GCC branch's answer, which the reference vectors come from).
        /// </summary>
        public static int MostSignificantBit32(uint x)
        {
            if (x == 0) return 32;
            int n = 0;
            while (x != 0) { x >>= 1; n++; }
            return n;
        }

        /// <summary>Number of significant bits of x (x != 0 where used).</summary>
        public static int MostSignificantBit64(ulong x)
        {
            if (x == 0) return 64;
            int n = 0;
            while (x != 0) { x >>= 1; n++; }
            return n;
        }
    }
}
