// The admin area (the admin account only; the API checks the `admin` scope on every operation too).
import { Navigate, NavLink, Route, Routes } from "react-router";
import { AdminOrderPage } from "./AdminOrder.tsx";
import { AdminOrdersPage } from "./AdminOrders.tsx";
import { AdminProductPage } from "./AdminProduct.tsx";
import { AdminProductsPage } from "./AdminProducts.tsx";

export default function AdminRoutes() {
  return (
    <div className="admin">
      <nav aria-label="Admin" className="subnav">
        <ul className="nav-list">
          <li>
            <NavLink to="/admin/products">Products</NavLink>
          </li>
          <li>
            <NavLink to="/admin/orders">Orders</NavLink>
          </li>
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to="products" replace />} />
        <Route path="products" element={<AdminProductsPage />} />
        <Route path="products/new" element={<AdminProductPage />} />
        <Route path="products/:id" element={<AdminProductPage />} />
        <Route path="orders" element={<AdminOrdersPage />} />
        <Route path="orders/:id" element={<AdminOrderPage />} />
      </Routes>
    </div>
  );
}
