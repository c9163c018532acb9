-- AlterEnum
ALTER TYPE "ReservationStatus" ADD VALUE 'RESTOCKED';

-- AlterEnum
ALTER TYPE "StockMovementKind" ADD VALUE 'RESTOCKED';
