using System;

namespace Mote.Device.Protocol
{
    /// <summary>
    /// Consistent Overhead Byte Stuffing (Cheshire &amp; Baker, 1999): removes every zero byte so
    /// that 0x00 can delimit frames on the wire. Each block starts with a code byte c: c-1 data
    /// bytes follow, then (if c &lt; 0xFF and more data follows) an implicit zero. Overhead: at
    /// most one byte per 254 bytes, plus one.
    /// </summary>
    public static class Cobs
    {
        /// <summary>Largest encoded size of <paramref name="length"/> bytes.</summary>
        public static int MaxEncodedLength(int length) { return length + length / 254 + 1; }

        /// <summary>Encodes into <paramref name="dst"/> (no delimiter); returns the encoded length.</summary>
        public static int Encode(byte[] src, int start, int length, byte[] dst, int dstStart)
        {
            int codeAt = dstStart, o = dstStart + 1;
            int code = 1;
            for (int i = start; i < start + length; i++)
            {
                byte b = src[i];
                if (b == 0)
                {
                    dst[codeAt] = (byte)code;
                    codeAt = o++;
                    code = 1;
                }
                else
                {
                    dst[o++] = b;
                    code++;
                    if (code == 0xFF)
                    {
                        dst[codeAt] = (byte)code;
                        codeAt = o++;
                        code = 1;
                    }
                }
            }
            dst[codeAt] = (byte)code;
            return o - dstStart;
        }

        /// <summary>
        /// Decodes in place-safe fashion into <paramref name="dst"/>; returns the decoded length,
        /// or -1 if the input is not valid COBS (a zero byte, or a block running past the end).
        /// </summary>
        public static int Decode(byte[] src, int start, int length, byte[] dst, int dstStart)
        {
            int i = start, end = start + length, o = dstStart;
            while (i < end)
            {
                int code = src[i++];
                if (code == 0) return -1;
                if (i + code - 1 > end) return -1;
                for (int k = 1; k < code; k++)
                {
                    byte b = src[i++];
                    if (b == 0) return -1;
                    if (o >= dst.Length) return -1;
                    dst[o++] = b;
                }
                if (code < 0xFF && i < end)
                {
                    if (o >= dst.Length) return -1;
                    dst[o++] = 0;
                }
            }
            return o - dstStart;
        }
    }
}
