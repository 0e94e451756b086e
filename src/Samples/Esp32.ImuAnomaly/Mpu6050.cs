using System;
using System.Device.I2c;

namespace Mote.Samples.Esp32
{
    /// <summary>
    /// The few MPU6050 registers this sample needs (InvenSense MPU-6000/6050 register map, rev. 4.2):
    /// wake from sleep, ±2 g full scale, read the three accelerometer axes as signed 16-bit counts
    /// (16384 counts per g at ±2 g). A full binding exists in nanoFramework's IoT device library
    /// (Iot.Device.Mpu6xxx9xxx); this one keeps the sample to the packages the stub check covers.
    /// </summary>
    public sealed class Mpu6050 : IDisposable
    {
        public const int DefaultAddress = 0x68;      // AD0 low (0x69 with AD0 high)
        public const int CountsPerG = 16384;         // at ±2 g (ACCEL_CONFIG AFS_SEL = 0)
        const byte PwrMgmt1 = 0x6B, AccelConfig = 0x1C, AccelXoutH = 0x3B, WhoAmI = 0x75;

        readonly I2cDevice device;
        readonly byte[] register = new byte[1];
        readonly byte[] pair = new byte[2];
        readonly byte[] accel = new byte[6];

        public Mpu6050(I2cDevice device)
        {
            if (device == null) throw new ArgumentNullException("device");
            this.device = device;
        }

        /// <summary>Checks WHO_AM_I (0x68), clears SLEEP (clock: gyro X PLL) and selects ±2 g.</summary>
        public void Start()
        {
            int id = ReadRegister(WhoAmI) & 0x7E;
            if (id != 0x68) throw new InvalidOperationException("no MPU6050 at this address: WHO_AM_I is 0x" + id.ToString("X2"));
            WriteRegister(PwrMgmt1, 0x01);
            WriteRegister(AccelConfig, 0x00);
        }

        /// <summary>Reads the accelerometer (raw counts, big-endian registers 0x3B..0x40). Allocates nothing.</summary>
        public void ReadAcceleration(out int x, out int y, out int z)
        {
            register[0] = AccelXoutH;
            device.WriteRead(register, accel);
            x = (short)((accel[0] << 8) | accel[1]);
            y = (short)((accel[2] << 8) | accel[3]);
            z = (short)((accel[4] << 8) | accel[5]);
        }

        int ReadRegister(byte address)
        {
            register[0] = address;
            device.WriteRead(register, pair);
            return pair[0];
        }

        void WriteRegister(byte address, byte value)
        {
            pair[0] = address;
            pair[1] = value;
            device.Write(pair);
        }

        public void Dispose()
        {
            device.Dispose();
        }
    }
}
