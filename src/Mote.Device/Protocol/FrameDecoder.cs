using System;
using Mote.Runtime.Format;

namespace Mote.Device.Protocol
{
    /// <summary>Outcome of feeding one byte to a <see cref="FrameDecoder"/>.</summary>
    public static class DecodeResult
    {
        /// <summary>Byte consumed, no frame boundary yet.</summary>
        public const int Pending = 0;
        /// <summary>A valid frame is ready in <see cref="FrameDecoder.Type"/>, <see cref="FrameDecoder.Sequence"/>, <see cref="FrameDecoder.Payload"/>.</summary>
        public const int Frame = 1;
        /// <summary>A delimiter ended an empty frame (idle line or resync): ignore.</summary>
        public const int Empty = 2;
        /// <summary>Frame longer than the decoder's buffer; bytes dropped until the next delimiter.</summary>
        public const int Overflow = 3;
        /// <summary>Not valid COBS.</summary>
        public const int BadCobs = 4;
        /// <summary>Shorter than type + sequence + CRC.</summary>
        public const int TooShort = 5;
        /// <summary>CRC-32 mismatch.</summary>
        public const int BadCrc = 6;
    }

    /// <summary>
    /// Streaming receiver. Wire frame: COBS( type u8 | seq u16 LE | payload | CRC-32 u32 LE ) 0x00,
    /// the CRC (IEEE, as the blob's) over type..payload. Feed bytes one by one; a 0x00 always
    /// ends the current frame, so after garbage the decoder resynchronizes at the next delimiter.
    /// Never throws on input, never allocates after construction.
    /// </summary>
    public sealed class FrameDecoder
    {
        public const int HeaderBytes = 3, CrcBytes = 4;
        readonly byte[] raw, decoded;
        int rawLength;
        bool overflow;

        /// <param name="maxPayload">Largest payload accepted.</param>
        public FrameDecoder(int maxPayload)
        {
            int frame = maxPayload + HeaderBytes + CrcBytes;
            raw = new byte[Cobs.MaxEncodedLength(frame)];
            decoded = new byte[raw.Length];
        }

        public byte Type { get; private set; }
        public int Sequence { get; private set; }
        /// <summary>Payload bytes are <c>Payload[PayloadStart .. PayloadStart + PayloadLength)</c>.</summary>
        public byte[] Payload { get { return decoded; } }
        public int PayloadStart { get { return HeaderBytes; } }
        public int PayloadLength { get; private set; }

        /// <summary>Counters, for the link statistics the tools print.</summary>
        public int Frames, CrcErrors, CobsErrors, Overflows, ShortFrames;

        public int Push(byte b)
        {
            if (b != 0)
            {
                if (rawLength < raw.Length) raw[rawLength++] = b;
                else overflow = true;
                return DecodeResult.Pending;
            }
            int n = rawLength;
            bool over = overflow;
            rawLength = 0;
            overflow = false;
            if (over) { Overflows++; return DecodeResult.Overflow; }
            if (n == 0) return DecodeResult.Empty;
            int len = Cobs.Decode(raw, 0, n, decoded, 0);
            if (len < 0) { CobsErrors++; return DecodeResult.BadCobs; }
            if (len < HeaderBytes + CrcBytes) { ShortFrames++; return DecodeResult.TooShort; }
            uint crc = LittleEndian.ReadUInt32(decoded, len - CrcBytes);
            if (Crc32.Compute(decoded, 0, len - CrcBytes) != crc) { CrcErrors++; return DecodeResult.BadCrc; }
            Type = decoded[0];
            Sequence = decoded[1] | (decoded[2] << 8);
            PayloadLength = len - HeaderBytes - CrcBytes;
            Frames++;
            return DecodeResult.Frame;
        }
    }

    /// <summary>
    /// Builds wire frames into one reusable buffer: <see cref="Begin"/>, append payload with the
    /// Put methods, then <see cref="Finish"/> returns the encoded length (including the leading and
    /// trailing 0x00 delimiters) of <see cref="Buffer"/>. Sequence numbers count up per encoder.
    /// </summary>
    public sealed class FrameEncoder
    {
        readonly byte[] frame, wire;
        int length;
        int sequence;

        public FrameEncoder(int maxPayload)
        {
            frame = new byte[maxPayload + FrameDecoder.HeaderBytes + FrameDecoder.CrcBytes];
            wire = new byte[Cobs.MaxEncodedLength(frame.Length) + 2];
        }

        public byte[] Buffer { get { return wire; } }
        public int MaxPayload { get { return frame.Length - FrameDecoder.HeaderBytes - FrameDecoder.CrcBytes; } }
        public int NextSequence { get { return sequence; } }

        public void Begin(byte type)
        {
            frame[0] = type;
            frame[1] = (byte)sequence;
            frame[2] = (byte)(sequence >> 8);
            sequence = (sequence + 1) & 0xFFFF;
            length = FrameDecoder.HeaderBytes;
        }

        void Room(int n)
        {
            if (length + n + FrameDecoder.CrcBytes > frame.Length) throw new InvalidOperationException("frame payload too large");
        }

        public void PutByte(int v) { Room(1); frame[length++] = (byte)v; }
        public void PutUInt16(int v) { Room(2); frame[length++] = (byte)v; frame[length++] = (byte)(v >> 8); }
        public void PutInt32(int v) { Room(4); LittleEndian.WriteInt32(frame, length, v); length += 4; }
        public void PutUInt32(uint v) { PutInt32((int)v); }
        public void PutBytes(byte[] src, int start, int count) { Room(count); Array.Copy(src, start, frame, length, count); length += count; }

        /// <summary>UTF-8 text (ASCII fast path, others as '?'), at most the remaining room.</summary>
        public void PutText(string s)
        {
            int room = frame.Length - FrameDecoder.CrcBytes - length;
            int n = s.Length < room ? s.Length : room;
            for (int i = 0; i < n; i++) { char c = s[i]; frame[length++] = (byte)(c < 128 ? c : '?'); }
        }

        public int Finish()
        {
            uint crc = Crc32.Compute(frame, 0, length);
            LittleEndian.WriteInt32(frame, length, (int)crc);
            int total = length + FrameDecoder.CrcBytes;
            wire[0] = 0;
            int n = Cobs.Encode(frame, 0, total, wire, 1);
            wire[n + 1] = 0;
            return n + 2;
        }
    }
}
