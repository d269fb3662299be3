//! Theta sweeps: the head-direction, grid-cell and place-cell networks with (documented in the parent module)

pub(crate) mod clock;
pub(crate) mod direction;
pub(crate) mod grid;
pub(crate) mod place;
mod plots;

pub use clock::{ThetaClock, ThetaClockParams, ThetaModulation};
pub use direction::{DirectionCellNetwork, DirectionCellNetworkParams};
pub use grid::{GridCellNetwork, GridCellNetworkParams, GridDecode};
pub use place::{t_maze, GeodesicGrid, PlaceCellNetwork, PlaceCellNetworkParams};
