using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using Mote.Device.Protocol;
using Mote.Runtime.Format;

namespace Mote.Board
{
    /// <summary>A decoded device → host message.</summary>
    public sealed class DeviceMessage
    {
        public byte Type;
        public int Sequence;
        public byte[] Payload;

        // Result
        public int WindowSequence => LittleEndian.ReadInt32(Payload, 0);
        public int WindowStart => LittleEndian.ReadInt32(Payload, 4);
        public bool FromHost => Payload[8] != 0;
        public int Class => (sbyte)Payload[9];
        public int Stable => (sbyte)Payload[10];
        public int Score => (sbyte)Payload[11];
        public int Margin => Payload[12];
        public int InvokeMicros => LittleEndian.ReadInt32(Payload, 13);
        // Log
        public string Text => Type == MessageType.Log ? Encoding.ASCII.GetString(Payload, 1, Payload.Length - 1) : "";
        // Info
        public uint ModelCrc => LittleEndian.ReadUInt32(Payload, 4);
        public int ModelLength => LittleEndian.ReadInt32(Payload, 8);
        public int Arena => LittleEndian.ReadInt32(Payload, 12);
        public int Slot => (sbyte)Payload[16];
        public uint Generation => LittleEndian.ReadUInt32(Payload, 17);
        // UploadAck
        public int AckFor => LittleEndian.ReadUInt16(Payload, 0);
        public int AckStatus => Payload[2];
        public int AckNext => LittleEndian.ReadInt32(Payload, 3);

        public string Describe() => Type switch
        {
            MessageType.Result => $"result #{WindowSequence} start {WindowStart} class {Class} stable {Stable} score {Score} margin {Margin} invoke {InvokeMicros} us{(FromHost ? " (host window)" : "")}",
            MessageType.Log => $"log[{Payload[0]}] {Text}",
            MessageType.Info => $"info firmware {LittleEndian.ReadUInt16(Payload, 0)}.{LittleEndian.ReadUInt16(Payload, 2)} model crc {ModelCrc:x8} {ModelLength} bytes arena {Arena} slot {Slot} generation {Generation}",
            MessageType.UploadAck => $"ack seq {AckFor} status {AckStatus} next {AckNext}",
            _ => $"type 0x{Type:x2} {Payload.Length} bytes",
        };
    }

    /// <summary>The host end of the serial protocol over any <see cref="IByteLink"/>.</summary>
    public sealed class HostClient
    {
        readonly IByteLink link;
        readonly FrameDecoder decoder = new FrameDecoder(DeviceLink.MaxPayload);
        readonly FrameEncoder encoder = new FrameEncoder(DeviceLink.MaxPayload);
        readonly byte[] rx = new byte[4096];
        readonly Queue<DeviceMessage> pending = new();

        public HostClient(IByteLink link) => this.link = link;

        /// <summary>Optional log of the upload conversation (retries, timeouts, unexpected answers), for <c>mote deploy --verbose</c> and tests.</summary>
        public Action<string> Trace;

        public FrameDecoder Decoder => decoder;

        /// <summary>Next message, or null after <paramref name="timeoutMs"/>.</summary>
        public DeviceMessage Receive(int timeoutMs)
        {
            var sw = Stopwatch.StartNew();
            while (true)
            {
                if (pending.Count > 0) return pending.Dequeue();
                int n = link.Read(rx, 0, rx.Length);
                if (n < 0) throw new IOException("the link closed");
                for (int i = 0; i < n; i++)
                    if (decoder.Push(rx[i]) == DecodeResult.Frame)
                    {
                        var p = new byte[decoder.PayloadLength];
                        Array.Copy(decoder.Payload, decoder.PayloadStart, p, 0, p.Length);
                        pending.Enqueue(new DeviceMessage { Type = decoder.Type, Sequence = decoder.Sequence, Payload = p });
                    }
                if (n == 0)
                {
                    if (sw.ElapsedMilliseconds >= timeoutMs) return null;
                    Thread.Sleep(1);
                }
            }
        }

        /// <summary>Sends one frame; returns its sequence number.</summary>
        public int Send(byte type, byte[] payload, int start, int count)
        {
            int seq = encoder.NextSequence;
            encoder.Begin(type);
            if (count > 0) encoder.PutBytes(payload, start, count);
            int n = encoder.Finish();
            link.Write(encoder.Buffer, 0, n);
            return seq;
        }

        /// <summary>Waits for a message of <paramref name="type"/> (others go to <paramref name="other"/>).</summary>
        public DeviceMessage WaitFor(byte type, int timeoutMs, Action<DeviceMessage> other = null, int ackFor = -1)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                var m = Receive((int)Math.Max(1, timeoutMs - sw.ElapsedMilliseconds));
                if (m == null) return null;
                if (m.Type == type && (ackFor < 0 || m.AckFor == ackFor)) return m;
                other?.Invoke(m);
            }
            return null;
        }

        public DeviceMessage RequestInfo(int timeoutMs = 2000, Action<DeviceMessage> other = null)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                Send(MessageType.InfoRequest, null, 0, 0);
                var m = WaitFor(MessageType.Info, timeoutMs, other);
                if (m != null) return m;
            }
            return null;
        }

        /// <summary>
        /// Uploads <paramref name="blob"/> in chunks: UploadBegin (the device answers with the
        /// offset to resume from), UploadChunk with an ack per chunk (retried on timeout or a bad
        /// ack, continuing from the device's next offset), UploadCommit. Returns the final ack
        /// status (<see cref="Status.Committed"/> on success).
        /// </summary>
        public int Deploy(byte[] blob, int chunk = 512, Action<int, int> progress = null, Action<DeviceMessage> other = null, int timeoutMs = 1000, int retries = 20)
        {
            uint crc = Crc32.Compute(blob, 0, blob.Length);
            var begin = new byte[8];
            LittleEndian.WriteInt32(begin, 0, blob.Length);
            LittleEndian.WriteInt32(begin, 4, (int)crc);
            int next = -1;
            for (int a = 0; a < retries && next < 0; a++)
            {
                int s = Send(MessageType.UploadBegin, begin, 0, 8);
                var ack = WaitFor(MessageType.UploadAck, timeoutMs, other, s);
                if (ack == null) continue;
                if (ack.AckStatus != Status.Ok) return ack.AckStatus;
                next = ack.AckNext;
            }
            if (next < 0) throw new TimeoutException("the device did not answer UploadBegin");
            var buf = new byte[4 + chunk];
            int failures = 0;
            while (next < blob.Length)
            {
                progress?.Invoke(next, blob.Length);
                int n = Math.Min(chunk, blob.Length - next);
                LittleEndian.WriteInt32(buf, 0, next);
                Array.Copy(blob, next, buf, 4, n);
                int s = Send(MessageType.UploadChunk, buf, 0, 4 + n);
                var ack = WaitFor(MessageType.UploadAck, timeoutMs, other, s);
                if (ack == null || (ack.AckStatus != Status.Ok && ack.AckStatus != Status.BadOffset))
                {
                    Trace?.Invoke(ack == null ? $"chunk at {next} (seq {s}): no ack in {timeoutMs} ms" : $"chunk at {next} (seq {s}): status {ack.AckStatus}");
                    if (ack != null && ack.AckStatus == Status.NoUpload)
                    {
                        // The device restarted: begin again (it resumes where it can).
                        int sb = Send(MessageType.UploadBegin, begin, 0, 8);
                        var b = WaitFor(MessageType.UploadAck, timeoutMs, other, sb);
                        if (b != null && b.AckStatus == Status.Ok) next = b.AckNext;
                    }
                    if (++failures > retries) throw new TimeoutException($"upload stalled at offset {next}");
                    continue;
                }
                if (ack.AckNext > next) failures = 0; // retries count per chunk
                next = ack.AckNext;
            }
            progress?.Invoke(blob.Length, blob.Length);
            for (int a = 0; a < retries; a++)
            {
                int s = Send(MessageType.UploadCommit, null, 0, 0);
                var ack = WaitFor(MessageType.UploadAck, timeoutMs * 3, other, s);
                Trace?.Invoke(ack == null ? $"commit (seq {s}): no ack in {timeoutMs * 3} ms" : $"commit (seq {s}): status {ack.AckStatus}");
                if (ack == null) continue;
                // A retried commit whose first answer was lost or late finds no upload in progress: the
                // device may already run the new model. Ask which model is active instead of failing.
                // Info names the model by its header CRC (the blob's own, over bytes 20..end), not the
                // whole-blob CRC the upload uses.
                if (a > 0 && ack.AckStatus == Status.NoUpload && blob.Length >= BlobFormat.CrcStart
                    && ActiveModelIs(LittleEndian.ReadUInt32(blob, BlobFormat.CrcFieldOffset), blob.Length, timeoutMs * 3, other))
                    return Status.Committed;
                return ack.AckStatus;
            }
            throw new TimeoutException("the device did not answer UploadCommit");
        }

        bool ActiveModelIs(uint headerCrc, int length, int timeoutMs, Action<DeviceMessage> other)
        {
            for (int a = 0; a < 5; a++)
            {
                var info = RequestInfo(timeoutMs, other);
                Trace?.Invoke(info == null ? "info: no answer" : "info: " + info.Describe());
                if (info != null) return info.ModelCrc == headerCrc && info.ModelLength == length;
            }
            return false;
        }

        /// <summary>Sends one float window for on-device classification (validation).</summary>
        public void SendWindow(int tag, float[] samples)
        {
            var p = new byte[6 + 4 * samples.Length];
            LittleEndian.WriteInt32(p, 0, tag);
            LittleEndian.WriteUInt16(p, 4, samples.Length);
            for (int i = 0; i < samples.Length; i++) BitConverter.TryWriteBytes(p.AsSpan(6 + 4 * i), samples[i]);
            Send(MessageType.Window, p, 0, p.Length);
        }
    }
}
