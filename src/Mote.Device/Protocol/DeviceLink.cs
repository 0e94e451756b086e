using System;
using Mote.Device.Pipeline;
using Mote.Device.Storage;
using Mote.Runtime;
using Mote.Runtime.Format;

namespace Mote.Device.Protocol
{
    /// <summary>
    /// The device end of the serial protocol (docs/serial-protocol.md): sends a Result frame per
    /// classified window and Log frames, answers InfoRequest, classifies host-sent Window frames,
    /// and takes model uploads into the <see cref="ModelStore"/> (swapping the pipeline's model
    /// after a verified commit). Steady state (results, windows) allocates nothing.
    /// </summary>
    public sealed class DeviceLink : IResultSink
    {
        public const int MaxPayload = 1100;
        public const int FirmwareMajor = 0, FirmwareMinor = 1;

        readonly IByteLink link;
        readonly FrameDecoder decoder = new FrameDecoder(MaxPayload);
        readonly FrameEncoder encoder = new FrameEncoder(MaxPayload);
        readonly byte[] rx = new byte[256];
        readonly float[] window;
        readonly DevicePipeline pipeline;
        readonly ModelStore store;
        bool validating;
        int validationTag;

        public DeviceLink(IByteLink link, DevicePipeline pipeline, ModelStore store)
        {
            if (link == null) throw new ArgumentNullException("link");
            if (pipeline == null) throw new ArgumentNullException("pipeline");
            this.link = link;
            this.pipeline = pipeline;
            this.store = store;
            window = new float[pipeline.WindowSize];
            pipeline.Sink = this;
        }

        public FrameDecoder Decoder { get { return decoder; } }
        /// <summary>Called after a new model became active (the virtual board prints it).</summary>
        public event EventHandler ModelSwapped;

        /// <summary>Reads and handles what the host sent; returns false when the link closed.</summary>
        public bool Poll()
        {
            while (true)
            {
                int n = link.Read(rx, 0, rx.Length);
                if (n < 0) return false;
                if (n == 0) return true;
                for (int i = 0; i < n; i++)
                    if (decoder.Push(rx[i]) == DecodeResult.Frame) Handle();
                if (n < rx.Length) return true;
            }
        }

        public void OnResult(InferenceResult r)
        {
            encoder.Begin(MessageType.Result);
            encoder.PutInt32(r.Sequence);
            encoder.PutInt32(validating ? validationTag : (int)r.WindowStart);
            encoder.PutByte(validating ? 1 : 0);
            encoder.PutByte(r.Class);
            encoder.PutByte(r.Stable);
            encoder.PutByte(r.Score);
            encoder.PutByte(r.Margin);
            encoder.PutInt32(r.InvokeMicros);
            encoder.PutByte(r.OutputCount);
            encoder.PutBytes(r.Outputs, 0, r.OutputCount);
            Send();
        }

        public void Log(int level, string text)
        {
            encoder.Begin(MessageType.Log);
            encoder.PutByte(level);
            encoder.PutText(text);
            Send();
        }

        public void SendInfo()
        {
            Model m = pipeline.Interpreter.Model;
            encoder.Begin(MessageType.Info);
            encoder.PutUInt16(FirmwareMajor);
            encoder.PutUInt16(FirmwareMinor);
            encoder.PutUInt32(m.Crc);
            encoder.PutInt32(m.Length);
            encoder.PutInt32(m.ArenaBytes);
            encoder.PutByte(store != null ? store.ActiveSlot : -1);
            encoder.PutUInt32(store != null ? store.ActiveGeneration : 0);
            encoder.PutUInt16(pipeline.WindowSize);
            encoder.PutInt32(store != null ? store.Capacity : 0);
            encoder.PutText("mote-device");
            Send();
        }

        void Ack(int requestSequence, int status, int next)
        {
            encoder.Begin(MessageType.UploadAck);
            encoder.PutUInt16(requestSequence);
            encoder.PutByte(status);
            encoder.PutInt32(next);
            Send();
        }

        void Send()
        {
            int n = encoder.Finish();
            link.Write(encoder.Buffer, 0, n);
        }

        void Handle()
        {
            byte[] p = decoder.Payload;
            int o = decoder.PayloadStart, len = decoder.PayloadLength, seq = decoder.Sequence;
            switch (decoder.Type)
            {
                case MessageType.InfoRequest:
                    SendInfo();
                    break;
                case MessageType.Window:
                    {
                        int count = len >= 6 ? LittleEndian.ReadUInt16(p, o + 4) : -1;
                        if (count != window.Length || len != 6 + 4 * count) { Ack(seq, Status.BadMessage, 0); break; }
                        for (int i = 0; i < count; i++) window[i] = BitConverter.ToSingle(p, o + 6 + 4 * i);
                        validating = true;
                        validationTag = LittleEndian.ReadInt32(p, o);
                        pipeline.ClassifyWindow(window, 0, -1);
                        validating = false;
                        break;
                    }
                case MessageType.UploadBegin:
                    {
                        if (store == null || len != 8) { Ack(seq, Status.BadMessage, 0); break; }
                        int next = store.BeginUpload(LittleEndian.ReadInt32(p, o), LittleEndian.ReadUInt32(p, o + 4));
                        Ack(seq, next < 0 ? Status.TooLarge : Status.Ok, next < 0 ? 0 : next);
                        break;
                    }
                case MessageType.UploadChunk:
                    {
                        if (store == null || len < 4) { Ack(seq, Status.BadMessage, 0); break; }
                        if (!store.UploadInProgress) { Ack(seq, Status.NoUpload, 0); break; }
                        int next = store.WriteChunk(LittleEndian.ReadInt32(p, o), p, o + 4, len - 4);
                        Ack(seq, next < 0 ? Status.BadOffset : Status.Ok, next < 0 ? store.UploadNextOffset : next);
                        break;
                    }
                case MessageType.UploadCommit:
                    Commit(seq);
                    break;
                default:
                    Ack(seq, Status.BadMessage, 0);
                    break;
            }
        }

        void Commit(int seq)
        {
            if (store == null) { Ack(seq, Status.BadMessage, 0); return; }
            if (!store.UploadInProgress) { Ack(seq, Status.NoUpload, 0); return; }
            int length = store.UploadLength;
            byte[] blob = store.ReadUpload();
            if (blob == null) { Ack(seq, Status.BadOffset, store.UploadNextOffset); return; }
            // The blob's own checks (format, bounds, CRC, input size) run before it is marked
            // active: a blob that fails them is never booted.
            Interpreter next;
            try
            {
                next = new Interpreter(Model.Load(blob));
                pipeline.CheckCompatible(next);
            }
            catch (Exception e)
            {
                store.AbortUpload();
                Ack(seq, Status.InvalidModel, length);
                Log(2, "uploaded model rejected: " + e.Message);
                return;
            }
            int status = store.Commit();
            if (status != Status.Ok) { Ack(seq, status, store.UploadNextOffset); return; }
            pipeline.SetInterpreter(next);
            Ack(seq, Status.Committed, length);
            Log(1, "model switched to slot " + store.ActiveSlot + " generation " + store.ActiveGeneration);
            if (ModelSwapped != null) ModelSwapped(this, EventArgs.Empty);
            SendInfo();
        }
    }
}
