@_exported import struct KiemDiemWire.Endpoints
